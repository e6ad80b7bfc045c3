// `npm run build`: the production build (`next build`), then the worker bundle
// (scripts/lib/build-worker.ts), each stamped with the time it started (scripts/lib/build.ts).
import { nextBuild } from './lib/build';
import { buildWorker } from './lib/build-worker';

try {
  nextBuild({ env: process.env });
  console.log(`worker bundle: ${await buildWorker()}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
