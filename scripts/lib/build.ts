import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

/** What the Next build is made of: a change under any of these makes `.next` stale. */
const SOURCE_DIRS = ['app', 'components', 'server', 'model', 'migrations'];
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

/**
 * `next build`, with `.next/BUILD_ID` stamped with the time the build started rather than the
 * time it ended: a source saved while the build ran may not be in it, so it must count as
 * newer than the build and make the next start build again.
 */
export function nextBuild({ root = process.cwd(), env }: { root?: string; env: NodeJS.ProcessEnv }): void {
  const startedAt = new Date();
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  stampBuiltAt(path.join(root, '.next', 'BUILD_ID'), startedAt);
}

/** Sets a build output's modification time to when its build started (see nextBuild). */
export function stampBuiltAt(output: string, startedAt: Date): void {
  utimesSync(output, startedAt, startedAt);
}
