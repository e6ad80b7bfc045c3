// Container health checks (compose.yaml). `web`: the app answers GET /api/v1/health with the
// database up. `worker`: a worker process on this host (the container) has written its
// heartbeat in the last 30 s, the same test /api/v1/health applies to the queue.
/* global fetch, AbortSignal, console */
import { hostname } from 'node:os';
import process from 'node:process';
import pg from 'pg';

async function web() {
  const response = await fetch(`http://127.0.0.1:${process.env.PORT ?? 3000}/api/v1/health`, {
    signal: AbortSignal.timeout(4000),
  });
  const body = await response.json();
  if (!response.ok || body.db !== true) throw new Error(`health answered ${response.status} ${JSON.stringify(body)}`);
}

async function worker() {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 4000 });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select 1 from workers where hostname = $1 and stopped_at is null
         and heartbeat_at > now() - interval '30 seconds' limit 1`,
      [hostname()],
    );
    if (rows.length === 0) throw new Error(`no live heartbeat from a worker on ${hostname()}`);
  } finally {
    await client.end();
  }
}

const checks = { web, worker };
const check = checks[process.argv[2]];
if (!check) {
  console.error('usage: healthcheck.mjs web|worker');
  process.exit(2);
}
check().then(
  () => process.exit(0),
  (error) => {
    console.error(`unhealthy: ${error.message}`);
    process.exit(1);
  },
);
