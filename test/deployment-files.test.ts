import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { appSourcesOf, WORKER_ENV, WORKER_NODE_FLAGS } from '@/scripts/lib/build-worker';

// Docker cannot run on the machines the suite runs on: these tests read the deployment files
// and run the parts that need no Docker (the entrypoint's syntax, the health checks).

const run = promisify(execFile);
const read = (file: string) => readFileSync(path.resolve(file), 'utf8');
type TService = {
  command?: string[];
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  restart?: string;
};
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, TService> };
const readme = read('README.md');
const productionSection = readme.slice(readme.indexOf('## Production'));

describe('compose.yaml', () => {
  it('runs PostgreSQL, migrations once, web ×2 and worker ×2 from one image, and a TLS proxy', () => {
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(['caddy', 'migrate', 'postgres', 'web', 'worker']);
    expect(services.web!.command).toEqual(['web']);
    expect(services.worker!.command).toEqual(['worker']);
    expect(services.migrate!.command).toEqual(['migrate']);
    expect([services.web!.deploy?.replicas, services.worker!.deploy?.replicas]).toEqual([2, 2]);
    expect(services.web!.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(services.migrate!.restart).toBe('no');
    expect(services.web!.environment).toMatchObject({
      PIPEWRIGHT_TRUST_PROXY: '1',
      NEXTAUTH_URL: expect.stringMatching(/^https:\/\//),
    });
    expect(services.worker!.environment?.DATABASE_URL).toBe(services.web!.environment?.DATABASE_URL);
  });

  it('gives every long-running service a health check', () => {
    for (const name of ['postgres', 'web', 'worker'])
      expect(compose.services[name]!.healthcheck?.test, name).toBeDefined();
    expect(compose.services.web!.healthcheck!.test).toEqual(['CMD', '/app/docker/entrypoint.sh', 'healthcheck-web']);
  });

  it('uses only variables the README documents', () => {
    const used = new Set([...read('compose.yaml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    for (const service of Object.values(compose.services))
      for (const name of Object.keys(service.environment ?? {})) used.add(name);
    const undocumented = [...used].filter(
      (name) => !readme.includes(`\`${name}\``) && !name.startsWith('POSTGRES_USER') && name !== 'POSTGRES_DB',
    );
    expect(undocumented).toEqual([]);
    for (const name of [
      'POSTGRES_PASSWORD',
      'PIPEWRIGHT_DOMAIN',
      'PIPEWRIGHT_SECRET_KEY',
      'NEXTAUTH_SECRET',
      'PIPEWRIGHT_TRUST_PROXY',
    ]) {
      expect(productionSection, name).toContain(`\`${name}\``);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds in stages with next build and runs as a non-root user, web by default', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER pipewright$/m);
    expect(runtime.indexOf('USER pipewright')).toBeLessThan(runtime.indexOf('ENTRYPOINT'));
    expect(runtime).toContain('CMD ["web"]');
    expect(dockerfile).toMatch(/^RUN npm prune --omit=dev/m);
    expect(runtime).toContain('COPY --from=runtime-deps /app/node_modules');
  });

  it('copies only what exists in the repo or what the build makes', () => {
    const copied = [...dockerfile.matchAll(/^COPY --from=build (?:--chown=\S+ )?(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(' '),
    );
    expect(copied.length).toBeGreaterThan(10);
    const missing = copied
      .map((p) => p.replace(/^\/app\//, ''))
      .filter((p) => p !== '.next' && !existsSync(path.resolve(p)));
    expect(missing).toEqual([]);
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.next', '.data', '.git']) expect(ignored).toContain(entry);
  });

  it('holds every source file its processes import (the worker, scripts and expression threads run through tsx)', async () => {
    const copied = new Set(
      [...dockerfile.matchAll(/^COPY --from=build (?:--chown=\S+ )?(.+) \S+$/gm)].flatMap((m) =>
        m[1]!.split(' ').map((p) => p.replace(/^\/app\//, '')),
      ),
    );
    const sources = await appSourcesOf(process.cwd(), [
      'worker/main.ts',
      'scripts/web.ts',
      'scripts/migrate.ts',
      'server/runtime/expressions/expression-worker.ts',
      'server/runtime/code/code-worker.ts',
      'bin/pipewright.mjs',
    ]);
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((file) => !copied.has(file) && !copied.has(file.split('/')[0]!))).toEqual([]);
  }, 120_000);

  it('has an entrypoint sh can read, with a case for each process', async () => {
    await run('sh', ['-n', 'docker/entrypoint.sh']);
    const entrypoint = read('docker/entrypoint.sh');
    for (const name of ['web', 'worker', 'migrate', 'pipewright', 'healthcheck-web', 'healthcheck-worker'])
      expect(entrypoint).toContain(`  ${name})`);
    const targets = [...entrypoint.matchAll(/node (?:--[\w=.-]+ |tsx )*(\S+\.(?:ts|mjs))/g)].map((m) =>
      m[1]!.replace(/^\/app\//, ''),
    );
    expect(targets.length).toBe(6);
    for (const target of targets) expect(existsSync(target), target).toBe(true);
    // The worker as `npm run worker` starts it: its bundle, flags and environment.
    const env = Object.entries(WORKER_ENV).map(([name, value]) => `${name}=${value}`);
    expect(entrypoint).toContain(`${env.join(' ')} exec node ${WORKER_NODE_FLAGS.join(' ')} scripts/worker.mjs "$@"`);
  });

  it("starts the CLI from its pipewright command (the image's /app read as this checkout)", async () => {
    const script = read('docker/entrypoint.sh').replaceAll('/app/', `${process.cwd()}/`);
    const { stdout } = await run('sh', ['-c', script, 'entrypoint', 'pipewright', '--help']);
    expect(stdout).toContain('Usage: pipewright');
  });
});

describe('the container health checks', () => {
  let t: TTestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('healthcheck');
  });
  afterAll(async () => t.close());

  const check = (which: string, env: Record<string, string>) =>
    run(process.execPath, ['docker/healthcheck.mjs', which], { env: { ...process.env, ...env } }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );

  it('worker: healthy only with a fresh heartbeat from this host', async () => {
    expect(await check('worker', { DATABASE_URL: t.url })).toBe(1);
    const beat = (age: number) =>
      t.db
        .insertInto('workers')
        .values({
          id: `hc-${age}`,
          hostname: hostname(),
          pid: 1,
          heartbeat_at: sql<Date>`now() - make_interval(secs => ${age})`,
        })
        .execute();
    await beat(45);
    expect(await check('worker', { DATABASE_URL: t.url })).toBe(1);
    await beat(2);
    expect(await check('worker', { DATABASE_URL: t.url })).toBe(0);
  });

  it('web: healthy only when /api/v1/health answers with the database up', async () => {
    let answer = { status: 503, body: { ok: false, db: false, queue: false } };
    const server = http.createServer((_request, response) =>
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const PORT = String((server.address() as AddressInfo).port);
    try {
      expect(await check('web', { PORT })).toBe(1);
      answer = { status: 200, body: { ok: false, db: true, queue: false } };
      expect(await check('web', { PORT })).toBe(0);
    } finally {
      server.close();
    }
    expect(await check('nothing', {})).toBe(2);
  });
});
