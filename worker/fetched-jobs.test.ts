import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { FetchedJobs, PUBLISH_AFTER_MS } from '@/worker/fetched-jobs';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('names the jobs of batches not yet done, and asks for a beat only when a batch is still held after PUBLISH_AFTER_MS', () => {
  const jobs = new FetchedJobs();
  const publish = vi.fn();
  jobs.onLongHeld(publish);
  jobs.add(['a', 'b']);
  expect(jobs.ids()).toEqual(['a', 'b']);
  // Done within the second: nothing written before the regular beat.
  jobs.remove(['a', 'b']);
  vi.advanceTimersByTime(PUBLISH_AFTER_MS);
  expect(publish).not.toHaveBeenCalled();
  expect(jobs.ids()).toEqual([]);
  // Still held (waiting for a free slot): named at once.
  jobs.add(['c']);
  jobs.add(['d']);
  vi.advanceTimersByTime(PUBLISH_AFTER_MS);
  expect(publish).toHaveBeenCalledTimes(1);
  expect(jobs.ids()).toEqual(['c', 'd']);
  jobs.remove(['c']);
  expect(jobs.ids()).toEqual(['d']);
});

it('names a batch fetched while an earlier one was being timed, once the earlier is done and the later still held', () => {
  const jobs = new FetchedJobs();
  const publish = vi.fn();
  jobs.onLongHeld(publish);
  jobs.add(['e']);
  vi.advanceTimersByTime(PUBLISH_AFTER_MS / 2);
  jobs.add(['f']);
  jobs.remove(['e']);
  vi.advanceTimersByTime(PUBLISH_AFTER_MS / 2);
  // 'f' would otherwise wait for the next regular beat (5 s), past the reaper's grace for a fetched job.
  expect(publish).toHaveBeenCalledTimes(1);
  expect(jobs.ids()).toEqual(['f']);
});
