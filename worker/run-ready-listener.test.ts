import { describe, expect, it } from 'vitest';
import { RunsInHand } from '@/worker/runs-in-hand';
import { takeAnnouncedRuns, type TAnnouncedJob } from '@/worker/run-ready-listener';

const jobs: TAnnouncedJob[] = Array.from({ length: 5 }, (_, i) => ({ jobId: `job-${i}`, runId: `run-${i}` }));

/** An advance that claims at once and then holds its slot until released. */
function holdingAdvance() {
  const started: string[] = [];
  const release: Array<() => void> = [];
  const advance = (job: TAnnouncedJob, onClaimed: () => void) => {
    started.push(job.runId);
    onClaimed();
    return new Promise<void>((resolve) => release.push(resolve));
  };
  return { started, release, advance };
}

describe('takeAnnouncedRuns', () => {
  it('starts every named run while slots are free, without waking the fetch loops', () => {
    const inHand = new RunsInHand(24);
    const { started, advance } = holdingAdvance();
    let woken = 0;
    expect(takeAnnouncedRuns({ jobs, inHand, capacity: 24, advance, wakeFetch: () => woken++, random: () => 0 })).toBe(
      5,
    );
    expect(started).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4']);
    expect(inHand.size).toBe(5);
    expect(woken).toBe(0);
  });

  it("takes only what fits and leaves the rest to pg-boss's fetch loops, which it wakes", () => {
    const inHand = new RunsInHand(3);
    const { started, advance } = holdingAdvance();
    let woken = 0;
    takeAnnouncedRuns({ jobs: jobs.slice(0, 1), inHand, capacity: 3, advance, wakeFetch: () => woken++ });
    expect(takeAnnouncedRuns({ jobs, inHand, capacity: 3, advance, wakeFetch: () => woken++, random: () => 0.5 })).toBe(
      2,
    );
    // Started from a random place in the list (index 2 of 5), so workers hearing one notice take different jobs.
    expect(started).toEqual(['run-0', 'run-2', 'run-3']);
    expect(woken).toBe(1);
    expect(takeAnnouncedRuns({ jobs, inHand, capacity: 3, advance, wakeFetch: () => woken++ })).toBe(0);
    expect(woken).toBe(2);
  });

  it('leaves the jobs to the fetch loops while they work off a backlog', () => {
    const inHand = new RunsInHand(24);
    const { started, advance } = holdingAdvance();
    let woken = 0;
    const wakeFetch = () => woken++;
    expect(takeAnnouncedRuns({ jobs, inHand, capacity: 24, advance, wakeFetch, fetchBacklogged: true })).toBe(0);
    expect(started).toEqual([]);
    expect(woken).toBe(1);
  });

  it('starts nothing once the worker is stopping', async () => {
    const inHand = new RunsInHand(24);
    inHand.close();
    const { started, advance } = holdingAdvance();
    takeAnnouncedRuns({ jobs, inHand, capacity: 24, advance, wakeFetch: () => undefined });
    await Promise.resolve();
    expect(started).toEqual([]);
  });
});
