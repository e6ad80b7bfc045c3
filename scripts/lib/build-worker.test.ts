import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorker, workerBundle, WORKER_BUNDLE, WORKER_ENV, WORKER_NODE_FLAGS } from './build-worker';

describe('the worker bundle', () => {
  it('is plain JavaScript that loads every module the worker imports, without tsx', async () => {
    // Inside the repository, so its imports of packages resolve to node_modules as the real one's do.
    const outfile = path.resolve('.test-data/worker-bundle/main.mjs');
    rmSync(path.dirname(outfile), { recursive: true, force: true });
    await buildWorker(process.cwd(), outfile);
    const { DATABASE_URL: _unset, ...env } = process.env;
    const run = spawnSync(process.execPath, [...WORKER_NODE_FLAGS, outfile], {
      env: { ...env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    // It got as far as main(), which refuses to start without a database.
    // The worker's logger takes console output, so the line may be on either stream.
    expect(run.stdout + run.stderr).toContain('npm run worker needs DATABASE_URL');
    expect(run.status).toBe(1);
  });

  it("starts with an old generation that grows to 1.5 × what a full GC left, not V8's up to 4 ×", () => {
    // ~17 MB kept alive, then two full GCs: V8 alone sets the next limit at 4 × (72 MB) after
    // the first, having no GC speed yet to go by, and again whenever its GC looks slow.
    const keepAlive = 'const kept = []; for (let i = 0; i < 200000; i++) kept.push({ i, s: `x${i}` }); gc(); gc();';
    const run = spawnSync(
      process.execPath,
      [...WORKER_NODE_FLAGS, '--expose-gc', '--trace-gc-verbose', '--eval', keepAlive],
      { env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    // `[HeapController] Limit: old size: 17138 KB, new limit: 29735 KB (1.5)`
    const factors = [...run.stdout.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d+)\)/g)].map((match) => match[1]);
    expect(factors.length).toBeGreaterThanOrEqual(2);
    expect(new Set(factors)).toEqual(new Set(['1.5']));
  });

  it('is started by `npm run worker` with the same flags and environment as by `npm start`', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const env = Object.entries(WORKER_ENV).map(([name, value]) => `${name}=${value}`);
    expect(scripts.worker).toBe([...env, 'node', ...WORKER_NODE_FLAGS, 'scripts/worker.mjs'].join(' '));
  });

  it('is used only when built after the Next build it belongs to', () => {
    const root = path.join(tmpdir(), `pw-bundle-${process.pid}`);
    mkdirSync(path.join(root, '.next', 'worker'), { recursive: true });
    try {
      expect(workerBundle(root)).toBeNull();
      writeFileSync(path.join(root, WORKER_BUNDLE), '');
      expect(workerBundle(root)).toBeNull(); // no Next build
      writeFileSync(path.join(root, '.next', 'BUILD_ID'), 'x');
      const earlier = new Date(Date.now() - 60_000);
      utimesSync(path.join(root, WORKER_BUNDLE), earlier, earlier);
      expect(workerBundle(root)).toBeNull(); // the sources were built again since
      const later = new Date(Date.now() + 1_000);
      utimesSync(path.join(root, WORKER_BUNDLE), later, later);
      expect(workerBundle(root)).toBe(path.join(root, WORKER_BUNDLE));
      mkdirSync(path.join(root, 'worker'));
      writeFileSync(path.join(root, 'worker', 'main.ts'), '');
      const edited = new Date(Date.now() + 2_000);
      utimesSync(path.join(root, 'worker', 'main.ts'), edited, edited);
      expect(workerBundle(root)).toBeNull(); // the worker's sources changed since
      utimesSync(path.join(root, WORKER_BUNDLE), edited, edited);
      expect(workerBundle(root)).toBe(path.join(root, WORKER_BUNDLE));
      mkdirSync(path.join(root, 'model'));
      writeFileSync(path.join(root, 'model', 'step.ts'), '');
      const modelEdited = new Date(Date.now() + 3_000);
      utimesSync(path.join(root, 'model', 'step.ts'), modelEdited, modelEdited);
      expect(workerBundle(root)).toBeNull(); // code shared with the browser, under model/, changed since
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
