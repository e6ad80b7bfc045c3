// `npm run build` runs this after `next build`: the worker bundle (scripts/lib/build-worker.ts).
import { buildWorker } from './lib/build-worker';

buildWorker().then(
  (outfile) => console.log(`worker bundle: ${outfile}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
