import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startChild } from './child-process';
import { supervise, type TSupervision } from './supervise';

/** A child that appends "up <pid> <ms>" to $UP_FILE when started, and exits 0 on SIGTERM, as web and worker do. */
const CHILD = `
  const { appendFileSync } = require('node:fs');
  appendFileSync(process.env.UP_FILE, 'up ' + process.pid + ' ' + Date.now() + '\\n');
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 1000);
`;

let dir: string;
let upFile: string;
let supervision: TSupervision | null = null;
const logged: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pipewright-supervise-'));
  upFile = path.join(dir, 'up.log');
  logged.length = 0;
});
afterEach(async () => {
  await supervision?.stop();
  supervision = null;
  rmSync(dir, { recursive: true, force: true });
});

function starts(): { pid: number; at: number }[] {
  let text = '';
  try {
    text = readFileSync(upFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, pid, at] = line.split(' ');
      return { pid: Number(pid), at: Number(at) };
    });
}

async function untilStarts(n: number): Promise<{ pid: number; at: number }[]> {
  const deadline = Date.now() + 20_000;
  while (starts().length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(starts().length, logged.join('\n')).toBeGreaterThanOrEqual(n);
  return starts();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function superviseSleeper(backoff: { initialMs: number; maxMs: number; resetAfterMs: number }): TSupervision {
  return supervise({
    name: 'sleeper',
    start: () => startChild('sleeper', process.execPath, ['-e', CHILD], { ...process.env, UP_FILE: upFile }),
    log: (line) => logged.push(line),
    backoff,
  });
}

it('starts a SIGKILLed child again, waiting longer after each crash up to the cap', async () => {
  supervision = superviseSleeper({ initialMs: 300, maxMs: 600, resetAfterMs: 60_000 });
  const gaps: number[] = [];
  for (let n = 1; n <= 3; n++) {
    const before = await untilStarts(n);
    const killedAt = Date.now();
    process.kill(before[n - 1]!.pid, 'SIGKILL'); // what the OOM killer does
    const after = await untilStarts(n + 1);
    expect(after[n]!.pid).not.toBe(before[n - 1]!.pid);
    gaps.push(after[n]!.at - killedAt);
  }
  // 300 ms, then doubled to 600 ms, then held at the 600 ms cap: each restart waited at least its
  // delay, and the delays the supervisor chose (logged) stop at the cap. No upper bound on the
  // measured gap: on a loaded machine a restart can take longer than the delay (it took 1.3 s once).
  expect(gaps[0]).toBeGreaterThanOrEqual(300);
  expect(gaps[1]).toBeGreaterThanOrEqual(600);
  expect(gaps[2]).toBeGreaterThanOrEqual(600);
  expect(logged.filter((line) => line.includes('sleeper exited unexpectedly (signal SIGKILL)'))).toHaveLength(3);
  expect(logged.join('\n')).toMatch(/starting it again in 0\.3 s[\s\S]*again in 0\.6 s[\s\S]*again in 0\.6 s/);
});

it('waits the shortest delay again once the child has stayed up for resetAfterMs', async () => {
  supervision = superviseSleeper({ initialMs: 300, maxMs: 5_000, resetAfterMs: 500 });
  let ups = await untilStarts(1);
  process.kill(ups[0]!.pid, 'SIGKILL');
  ups = await untilStarts(2);
  await new Promise((resolve) => setTimeout(resolve, 600)); // staying up is the condition under test
  process.kill(ups[1]!.pid, 'SIGKILL');
  await untilStarts(3);
  expect(
    logged.filter((line) => line.includes('exited unexpectedly')).map((line) => /again in ([\d.]+) s/.exec(line)?.[1]),
  ).toEqual(['0.3', '0.3']);
});

it('stops the child and starts nothing more once stopped, also when stopped while waiting to restart', async () => {
  supervision = superviseSleeper({ initialMs: 300, maxMs: 600, resetAfterMs: 60_000 });
  const [first] = await untilStarts(1);
  process.kill(first!.pid, 'SIGKILL');
  const [, second] = await untilStarts(2);
  // Killed again and stopped at once: the stop lands in the 600 ms wait before the restart.
  process.kill(second!.pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await supervision.stop();
  // Longer than the restart would have waited: nothing else may come up.
  await new Promise((resolve) => setTimeout(resolve, 900));
  expect(starts()).toHaveLength(2);

  supervision = superviseSleeper({ initialMs: 300, maxMs: 600, resetAfterMs: 60_000 });
  const [, , third] = await untilStarts(3);
  await supervision.stop(); // SIGTERM: the child exits 0, which is no crash while stopping
  expect(alive(third!.pid)).toBe(false);
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(starts()).toHaveLength(3);
  expect(logged.filter((line) => line.includes('exited unexpectedly'))).toHaveLength(2);
});

it('keeps trying with backoff when starting fails, and stops trying once stopped', async () => {
  let attempts = 0;
  supervision = supervise({
    name: 'broken',
    start: () => {
      attempts++;
      throw new Error('port 5432 is taken');
    },
    log: (line) => logged.push(line),
    backoff: { initialMs: 50, maxMs: 100, resetAfterMs: 60_000 },
  });
  const deadline = Date.now() + 10_000;
  while (attempts < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(attempts).toBeGreaterThanOrEqual(4);
  expect(logged[0]).toBe('broken could not be started (port 5432 is taken); trying again in 0.05 s');
  await supervision.stop();
  const after = attempts;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(attempts).toBe(after);
});

it('starts nothing again once held, even when the child then exits on its own, and stop() still ends it', async () => {
  supervision = superviseSleeper({ initialMs: 100, maxMs: 100, resetAfterMs: 60_000 });
  const [first] = await untilStarts(1);
  // What the supervisor's shutdown does first: hold every supervision, then stop them one by one.
  supervision.hold();
  // Meanwhile the child exits by itself (it got the same SIGTERM, or a kill -9 reached it first).
  process.kill(first!.pid, 'SIGKILL');
  // Several times the restart delay: nothing may come back.
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(starts()).toHaveLength(1);
  expect(logged.filter((line) => line.includes('exited unexpectedly'))).toHaveLength(0);
  await supervision.stop();
  expect(starts()).toHaveLength(1);

  // Held while it runs: stop() still ends the running child.
  supervision = superviseSleeper({ initialMs: 100, maxMs: 100, resetAfterMs: 60_000 });
  const [, second] = await untilStarts(2);
  supervision.hold();
  expect(alive(second!.pid)).toBe(true);
  await supervision.stop();
  expect(alive(second!.pid)).toBe(false);
});
