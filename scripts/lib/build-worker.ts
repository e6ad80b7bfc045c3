import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { newestMtime, stampBuiltAt } from './build';

/** The worker as one plain JavaScript module, built beside the Next build (so it is as fresh as that). */
export const WORKER_BUNDLE = path.join('.next', 'worker', 'main.mjs');
/**
 * V8 flags for the worker process: a young generation of 2 × 4 MB instead of 2 × 16 MB. The
 * worker's garbage is short-lived (one step's values), so the smaller nursery costs a few more
 * quick scavenges and keeps ~25 MB less resident.
 * The old generation may grow to 1.5 × what a full GC left (plus V8's 8 MB step) before the
 * next one, where V8 picks up to 4 × when its GC looks slow beside the allocation rate (the
 * first GC, a loaded machine): taking 10,000 runs, a worker's heap then reached ~100 MB of
 * which ~25 MB was alive, and its peak RSS read 110 or 180 MB by chance (ARCHITECTURE.md,
 * "Worker memory: the peak while taking runs").
 */
export const WORKER_NODE_FLAGS = ['--conditions=react-server', '--max-semi-space-size=4', '--heap-growing-percent=50'];
/**
 * Environment of the worker process: glibc's malloc keeps an arena per thread that has
 * allocated (libuv's pool, the pg sockets' buffers) and holds their freed memory; two arenas
 * kept the worker ~20 MB smaller with 10,000 runs waiting, at no cost we could measure.
 */
export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' };
/** What the bundle is made of besides packages. */
const WORKER_SOURCES = ['worker', 'server', 'model', 'migrations'];

/**
 * Packages stay imports, but Node's own ESM resolution refuses a deep import without its file
 * extension (`ajv/dist/2020`), which tsx and bundlers accept: such an import is written as
 * the file it resolves to (`ajv/dist/2020.js`).
 */
const packagesAsImports: Plugin = {
  name: 'packages-as-imports',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@/') || args.pluginData === 'resolving') return undefined; // the app's own code
      const deep = /^(@[^/]+\/)?[^/]+\/./.test(args.path) && !args.path.startsWith('node:');
      // A deep import that names its file already resolves in Node, through the package's
      // exports map if it has one (`@modelcontextprotocol/sdk/client/index.js` → dist/esm/…):
      // rewriting it to the resolved file would apply that map twice.
      if (!deep || /\.(?:[cm]?js|json)$/.test(args.path)) return { path: args.path, external: true };
      const resolved = await builder.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const at = resolved.path.lastIndexOf(`node_modules${path.sep}`);
      if (at < 0) return { path: args.path, external: true };
      return {
        path: resolved.path
          .slice(at + 'node_modules/'.length)
          .split(path.sep)
          .join('/'),
        external: true,
      };
    });
  },
};

/** How the app's code is bundled for Node: one ES module, packages left as imports. */
const APP_BUNDLE = {
  bundle: true,
  platform: 'node',
  // server-only resolves to its empty module, as in Next's server bundles (scripts/lib/node-args.ts).
  conditions: ['react-server'],
  format: 'esm',
  target: 'node20',
  plugins: [packagesAsImports],
} satisfies BuildOptions;

/**
 * One entry of the app's code in `root` and what it imports, as one ES module for Node
 * (node_modules stay imports): the worker's bundle, and the benches' bundles of a checkout.
 */
export async function bundleAppModule({
  root,
  entry,
  outfile,
}: {
  root: string;
  entry: string;
  outfile: string;
}): Promise<void> {
  await build({
    ...APP_BUNDLE,
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/**
 * The app's own source files (paths from `root`) that `entries` import, followed as the bundle
 * follows them (node_modules left out): what a process started from these entries needs to
 * find beside its dependencies, e.g. in the Docker image (test/deployment-files.test.ts).
 */
export async function appSourcesOf(root: string, entries: string[]): Promise<string[]> {
  const result = await build({
    ...APP_BUNDLE,
    absWorkingDir: root,
    entryPoints: entries,
    outdir: 'unwritten',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).filter((file) => !file.split('/').includes('node_modules'));
}

/**
 * Bundles worker/main.ts and the app code it imports into WORKER_BUNDLE (node_modules stay
 * imports). Run through tsx, the worker held ~50 MB more than the same code as JavaScript:
 * tsx's loader thread and the TypeScript it transformed, file by file, at start-up. The
 * expression pool's threads still load their own entry through tsx, and only when used.
 */
export async function buildWorker(root = process.cwd(), outfile = path.join(root, WORKER_BUNDLE)): Promise<string> {
  const startedAt = new Date();
  await bundleAppModule({ root, entry: 'worker/main.ts', outfile });
  // Stamped with its start, as `.next/BUILD_ID` is (nextBuild): a source saved meanwhile counts as newer.
  stampBuiltAt(outfile, startedAt);
  return outfile;
}

/**
 * The bundle, when it was built after the Next build it belongs to and after the worker's
 * sources last changed (`worker/`, `server/`, `model/`, `migrations/`); else null, and worker/main.ts runs through tsx.
 */
export function workerBundle(root = process.cwd()): string | null {
  const bundle = path.join(root, WORKER_BUNDLE);
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(bundle) || !existsSync(buildId)) return null;
  const builtAt = statSync(bundle).mtimeMs;
  const newest = Math.max(statSync(buildId).mtimeMs, ...WORKER_SOURCES.map((dir) => newestMtime(path.join(root, dir))));
  return builtAt >= newest ? bundle : null;
}
