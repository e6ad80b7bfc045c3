import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { TAuthContext } from '@/server/auth/context';
import { setDb, type Db } from '@/server/db/database';
import { startEmbeddedPostgres, type TEmbeddedDatabase } from '@/server/db/embedded';
import { migrateToLatest } from '@/server/db/migrate';
import type { Database } from '@/server/db/schema';
import { getQueue } from '@/server/runtime/queue/run-queue';
import { killWorker, startWorker, until, type TWorkerProcess } from '@/test/faults/fault-harness';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { startChaosReceiver, type TChaosReceiver } from '@/test/chaos/chaos-receiver';

/** The application name of the suite's own connections: faults that drop connections spare them. */
export const CHAOS_APPLICATION_NAME = 'pipewright-chaos';
/** The chaos workers' lease (PIPEWRIGHT_LEASE_MS): short, so a stop past it takes seconds. */
export const CHAOS_LEASE_MS = 2_000;
const PASSWORD = 'pipewright-chaos-password';

export type TFault = {
  at: number;
  kind: 'sigkill' | 'sigstop' | 'sigcont' | 'terminate' | 'pg-restart' | 'worker-crash';
  detail: string;
};

export type TWorkerSlot = { worker: TWorkerProcess | null; stopped: boolean; expectedExit: boolean };

/**
 * Everything a chaos run stands on: its own PostgreSQL cluster (restartable), the suite's
 * database handle (also installed as getDb() for the server functions it calls), a tenant
 * with editor/operator/admin members, the loopback receiver, and two worker slots.
 */
export type TChaosWorld = {
  db: Db;
  url: string;
  editor: TAuthContext;
  operator: TAuthContext;
  admin: TAuthContext;
  receiver: TChaosReceiver;
  slots: TWorkerSlot[];
  faults: TFault[];
  /** Worker processes that exited without being killed by the suite, with their last output. */
  crashes: Array<{ at: number; pid: number; code: number | null; signal: string | null; output: string }>;
  /** True while PostgreSQL is down for a restart (samplers do not count what they cannot see). */
  pgDown: () => boolean;
  restartPostgres: (downMs: number) => Promise<void>;
  startSlot: (index: number) => Promise<void>;
  killSlot: (index: number) => Promise<void>;
  stopSlot: (index: number) => Promise<number>;
  continueSlot: (index: number) => void;
  terminateAppConnections: () => Promise<number>;
  liveWorkerIds: () => string[];
  close: () => Promise<void>;
};

function createSuiteDb(url: string, max = 8): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max, application_name: CHAOS_APPLICATION_NAME });
  // A restart or a terminated backend breaks idle clients; the pool replaces them. A client
  // checked out at that moment gets its own 'error' event, which with no listener ends the
  // process (a 20-minute run, seed 90210, died so at its PostgreSQL restart); its query fails
  // and the caller decides, as in createDb.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}

/** Worlds not closed yet: a test that timed out closes them from afterAll. */
const openWorlds = new Set<() => Promise<void>>();

/** Closes every world still open (its workers, receiver, PostgreSQL). */
export async function closeOpenChaosWorlds(): Promise<void> {
  await Promise.all([...openWorlds].map((close) => close()));
}

/** Starts the cluster, migrates, creates the tenant, the receiver and two workers. */
export async function startChaosWorld({ log }: { log: (line: string) => void }): Promise<TChaosWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-chaos-'));
  chmodSync(dir, 0o755); // postgres runs as the postgres user when the suite runs as root
  process.env.PIPEWRIGHT_DATA_DIR = dir;
  process.env.PIPEWRIGHT_SECRET_KEY ??= randomBytes(32).toString('base64');
  process.env.NEXTAUTH_SECRET ??= 'chaos-nextauth-secret-chaos-nextauth-secret';
  let database: TEmbeddedDatabase | null = await startEmbeddedPostgres({
    databaseDir: path.join(dir, 'pg'),
    password: PASSWORD,
  });
  const url = database.url;
  process.env.DATABASE_URL = url;
  let down = false;
  const { db } = createSuiteDb(url);
  // The fault schedule's own look at leases, on a connection of its own: operators' calls can
  // fill the suite's pool while they wait on locks a SIGSTOPped worker holds mid-transaction,
  // and a stop that waited for that pool never came to its SIGCONT (seed 580311 hung so).
  const { db: faultDb } = createSuiteDb(url, 1);
  const slots: TWorkerSlot[] = [
    { worker: null, stopped: false, expectedExit: false },
    { worker: null, stopped: false, expectedExit: false },
  ];
  const faults: TFault[] = [];
  const crashes: TChaosWorld['crashes'] = [];
  const receiver = await startChaosReceiver();
  let closing = false;
  const cleanup = async () => {
    if (closing) return;
    closing = true;
    openWorlds.delete(cleanup);
    // Each step on its own: one failing must not leave the processes after it running.
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      await step().catch((error: unknown) =>
        log(`cleanup: ${what} failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    };
    for (const slot of slots) {
      const worker = slot.worker;
      if (!worker) continue;
      slot.expectedExit = true;
      if (slot.stopped) worker.child.kill('SIGCONT');
      await attempt(`killing worker ${worker.pid}`, () => killWorker(worker));
    }
    await attempt('closing the receiver', () => receiver.close());
    await attempt('stopping the queue', async () => (await getQueue()).stop({ graceful: false, close: true }));
    await attempt('closing the database handle', () => db.destroy());
    await attempt("closing the fault schedule's handle", () => faultDb.destroy());
    await attempt('stopping PostgreSQL', async () => database?.stop());
    database = null;
    rmSync(dir, { recursive: true, force: true });
  };
  openWorlds.add(cleanup);
  try {
    await migrateToLatest({ db });
    setDb(db);
    const editor = (await createTenantWithMember({ db, role: 'editor' })).ctx;
    const operator = (await addMemberTo({ db, ctx: editor, role: 'operator' })).ctx;
    const admin = (await addMemberTo({ db, ctx: editor, role: 'admin' })).ctx;

    const startSlot = async (index: number) => {
      const slot = slots[index]!;
      slot.expectedExit = false;
      slot.stopped = false;
      // A short lease, so that a SIGSTOP can outlast a real one in seconds (see stopSlot).
      const worker = await startWorker({ url, env: { PIPEWRIGHT_LEASE_MS: String(CHAOS_LEASE_MS) } });
      slot.worker = worker;
      void worker.exited.then(({ code, signal }) => {
        if (closing || slot.worker !== worker || slot.expectedExit) return;
        crashes.push({ at: Date.now(), pid: worker.pid, code, signal, output: worker.output().slice(-6000) });
        faults.push({
          at: Date.now(),
          kind: 'worker-crash',
          detail: `worker ${worker.pid} exited by itself (code ${code}, signal ${signal})`,
        });
        log(`worker ${worker.pid} exited by itself (code ${code}, signal ${signal}); starting another`);
        slot.worker = null;
        void startSlot(index).catch((error: Error) => log(`could not restart worker: ${error.message}`));
      });
    };
    const world: TChaosWorld = {
      db,
      url,
      editor,
      operator,
      admin,
      receiver,
      slots,
      faults,
      crashes,
      pgDown: () => down,
      startSlot,
      killSlot: async (index) => {
        const slot = slots[index]!;
        if (!slot.worker) return;
        slot.expectedExit = true;
        faults.push({ at: Date.now(), kind: 'sigkill', detail: `worker ${slot.worker.pid} (${slot.worker.id})` });
        await killWorker(slot.worker);
        slot.worker = null;
      },
      stopSlot: async (index) => {
        const slot = slots[index]!;
        if (!slot.worker) return 0;
        slot.worker.child.kill('SIGSTOP');
        slot.stopped = true;
        faults.push({ at: Date.now(), kind: 'sigstop', detail: `worker ${slot.worker.pid} (${slot.worker.id})` });
        // Past a real lease: the leases it held run out in the database while it is stopped, as
        // they would for a frozen process, and its own clock tells it so when it wakes. (Expiring
        // them by hand let it wake within its lease by its clock, and call out for a run an
        // operator had canceled meanwhile: something no real stall can do.)
        const workerId = slot.worker.id;
        const held = await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM runs WHERE lease_owner = ${workerId} AND lease_expires_at > now()`.execute(
          faultDb,
        );
        await until(
          "the stopped worker's leases to run out",
          async () => {
            const live = await sql<{
              n: number;
            }>`SELECT count(*)::int AS n FROM runs WHERE lease_owner = ${workerId} AND lease_expires_at > now()`.execute(
              faultDb,
            );
            return (live.rows[0]?.n ?? 0) === 0;
          },
          { timeoutMs: CHAOS_LEASE_MS * 3, everyMs: 100 },
        );
        return held.rows[0]?.n ?? 0;
      },
      continueSlot: (index) => {
        const slot = slots[index]!;
        if (!slot.worker || !slot.stopped) return;
        slot.worker.child.kill('SIGCONT');
        slot.stopped = false;
        faults.push({ at: Date.now(), kind: 'sigcont', detail: `worker ${slot.worker.pid} (${slot.worker.id})` });
      },
      terminateAppConnections: async () => {
        faults.push({ at: Date.now(), kind: 'terminate', detail: 'pg_terminate_backend of every worker connection' });
        const result = await sql<{ n: number }>`
          SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND application_name NOT IN (${CHAOS_APPLICATION_NAME}, 'pipewright-sender')`.execute(db);
        return result.rows[0]?.n ?? 0;
      },
      restartPostgres: async (downMs) => {
        if (!database) return;
        const port = database.port;
        faults.push({ at: Date.now(), kind: 'pg-restart', detail: `fast shutdown, ${downMs} ms down` });
        down = true;
        try {
          await database.stop();
          await new Promise((resolve) => setTimeout(resolve, downMs)); // the outage itself: nothing to await
          database = await startEmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), password: PASSWORD, port });
        } finally {
          down = false;
        }
      },
      liveWorkerIds: () => slots.flatMap((slot) => (slot.worker && !slot.stopped ? [slot.worker.id] : [])),
      close: cleanup,
    };
    await Promise.all([startSlot(0), startSlot(1)]);
    return world;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
