// `npm run worker`: the worker bundle `npm run build` made (plain JavaScript, ~50 MB less
// resident than the sources through tsx), when it is as new as the Next build it came with;
// otherwise worker/main.ts through tsx. The same rule as workerBundle() in
// scripts/lib/build-worker.ts, which this file cannot import without loading tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const bundle = path.resolve('.next/worker/main.mjs');
const buildId = path.resolve('.next/BUILD_ID');

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((entry) => newestMtime(path.join(target, entry))));
}

const current =
  existsSync(bundle) &&
  existsSync(buildId) &&
  statSync(bundle).mtimeMs >=
    Math.max(statSync(buildId).mtimeMs, ...['worker', 'server', 'model', 'migrations'].map((dir) => newestMtime(dir)));
if (current) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.resolve('worker/main.ts')).href);
}
