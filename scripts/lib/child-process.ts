import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** `exited` says how the child ended ("code 1", "signal SIGKILL"); `stop` is stopChild. */
export type TManagedChild = { name: string; process: ChildProcess; exited: Promise<string>; stop: () => Promise<void> };

let logFile: WriteStream | null = null;

/**
 * Starts a child in its own process group so Ctrl-C reaches it only through us, in order.
 * With PIPEWRIGHT_LOG_FILE set, its output is also appended to that file (the e2e suite
 * reads it to prove secrets never reach the logs).
 */
export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): TManagedChild {
  const logPath = env.PIPEWRIGHT_LOG_FILE;
  const child = spawn(command, args, { env, stdio: logPath ? ['ignore', 'pipe', 'pipe'] : 'inherit', detached: true });
  if (logPath) {
    logFile ??= createWriteStream(logPath, { flags: 'a' });
    const sink = logFile;
    child.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      sink.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      sink.write(chunk);
    });
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    // A spawn that fails (ENOENT, EAGAIN) emits 'error' and no 'exit'; unheard, it would end the supervisor.
    child.once('error', (error) => {
      if (child.pid === undefined) resolve(`not started: ${error.message}`);
      else console.error(`[pipewright] ${name}: ${error.message}`);
    });
  });
  const managed: TManagedChild = { name, process: child, exited, stop: () => stopChild(managed) };
  return managed;
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILLs the child's whole group. */
export async function stopChild(child: TManagedChild, graceMs = 25_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const pid = child.process.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  const timedOut = await Promise.race([
    child.exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), graceMs)),
  ]);
  if (timedOut) {
    console.warn(`[pipewright] ${child.name} did not stop within ${graceMs / 1000}s; killing it`);
    process.kill(-pid, 'SIGKILL');
    await child.exited;
  }
}

/** Resolves once `url` answers any HTTP status, or rejects after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('the web server exited before it was ready');
    const answered = await fetch(url).then(
      () => true,
      () => false,
    );
    if (answered) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}
