import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCE_DIRS = ['app', 'components', 'server'];
const SOURCE_FILES = ['next.config.mjs', 'proxy.ts', 'package-lock.json', 'postcss.config.mjs', 'tsconfig.json'];

/** The newest modification time of a file, or of any file under a folder. */
export function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Why the production build must be (re)made, or null when `.next` is current. */
export function buildNeeded(root = process.cwd()): string | null {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'no build exists yet';
  const builtAt = statSync(buildId).mtimeMs;
  const newest = Math.max(...[...SOURCE_DIRS, ...SOURCE_FILES].map((p) => newestMtime(path.join(root, p))));
  return newest > builtAt ? 'the sources changed since the last build' : null;
}
