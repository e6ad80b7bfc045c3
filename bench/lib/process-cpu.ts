import { readdirSync, readFileSync } from 'node:fs';

/** The app's processes by role, as scripts/start.ts starts them. */
export type TAppRole = 'web' | 'worker' | 'database' | 'supervisor';
export type TCpuTimes = Record<TAppRole, number>;

const TICK_MS = 10; // Linux's USER_HZ is 100 on every architecture Node runs on

type TProc = { pid: number; ppid: number; cpuMs: number; command: string };

function readProc(pid: number): TProc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command in parentheses may hold spaces: the fields we want come after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, and cutime 16, cstime 17:
    // what its children that ended (and were waited for) used, such as a closed pool's backends.
    const cpuTicks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { pid, ppid: Number(fields[1]), cpuMs: cpuTicks * TICK_MS, command };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH')
      return null; // exited while we looked
    throw error;
  }
}

function roleOf(command: string): TAppRole {
  if (/postgres/.test(command)) return 'database';
  if (/worker/.test(command)) return 'worker';
  if (/next/.test(command)) return 'web';
  return 'supervisor';
}

/**
 * CPU time (user + system, ms, 10 ms resolution) used so far by each part of the app started
 * under `rootPid` (scripts/start.ts): the web server, the worker, PostgreSQL (postmaster and
 * every backend) and the supervisor itself, each the sum over its process subtree. Read
 * before and after a load, the difference says which process a request's cost lands in; on
 * a shared two-core machine the rate alone cannot. Linux only (/proc); a backend that ended
 * in between is counted through its parent's cutime/cstime.
 */
export function appCpuTimes(rootPid: number): TCpuTimes {
  const procs = new Map<number, TProc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const proc = readProc(Number(name));
    if (proc) procs.set(proc.pid, proc);
  }
  const children = new Map<number, TProc[]>();
  for (const proc of procs.values()) children.set(proc.ppid, [...(children.get(proc.ppid) ?? []), proc]);
  const subtreeMs = (proc: TProc): number =>
    proc.cpuMs + (children.get(proc.pid) ?? []).reduce((sum, child) => sum + subtreeMs(child), 0);
  const times: TCpuTimes = { web: 0, worker: 0, database: 0, supervisor: procs.get(rootPid)?.cpuMs ?? 0 };
  for (const child of children.get(rootPid) ?? []) times[roleOf(child.command)] += subtreeMs(child);
  return times;
}

/** CPU ms per request by role between two readings. */
export function cpuPerRequest(before: TCpuTimes, after: TCpuTimes, requests: number): TCpuTimes {
  const per = (role: TAppRole) => (after[role] - before[role]) / requests;
  return { web: per('web'), worker: per('worker'), database: per('database'), supervisor: per('supervisor') };
}

/** "web 1.2 / worker 0.4 / database 2.0 / supervisor 0.0 ms" */
export function cpuRow(per: TCpuTimes): string {
  return (['web', 'worker', 'database', 'supervisor'] as const)
    .map((role) => `${role} ${per[role].toFixed(2)}`)
    .join(' / ');
}

/** The pids of the app's direct children by role (web, worker, database). */
export function appPids(rootPid: number): Record<TAppRole, number[]> {
  const pids: Record<TAppRole, number[]> = { web: [], worker: [], database: [], supervisor: [rootPid] };
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const proc = readProc(Number(name));
    if (proc?.ppid === rootPid) pids[roleOf(proc.command)].push(proc.pid);
  }
  return pids;
}

/**
 * CPU ms (user + system, 10 ms resolution) used so far by the process `pid` and every
 * process under it, those that ended and were waited for included: a worker, or an embedded
 * PostgreSQL's postmaster with its backends. 0 when it is gone.
 */
export function processTreeCpuMs(pid: number): number {
  const procs: TProc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const proc = readProc(Number(name));
    if (proc) procs.push(proc);
  }
  const children = new Map<number, TProc[]>();
  for (const proc of procs) children.set(proc.ppid, [...(children.get(proc.ppid) ?? []), proc]);
  const subtreeMs = (proc: TProc): number =>
    proc.cpuMs + (children.get(proc.pid) ?? []).reduce((sum, child) => sum + subtreeMs(child), 0);
  const root = procs.find((proc) => proc.pid === pid);
  return root ? subtreeMs(root) : 0;
}

/** The postmaster of the server `db` is connected to, when it runs on this machine (the parent of our backend). */
export function postmasterPidOf(backendPid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${backendPid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
