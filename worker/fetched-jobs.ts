/** A job held this long after its fetch is named in `workers.fetched_jobs` at once, not at the next beat. */
export const PUBLISH_AFTER_MS = 1_000;

/**
 * The advance jobs this worker fetched and still holds: pg-boss shows them active from the
 * fetch until the batch's handler returns (a job waits in it for a free slot, RunsInHand). The
 * heartbeat writes them to `workers.fetched_jobs`, so the reaper can tell a job held by a live
 * worker from one whose worker died before claiming its run (staleFetchedJobRuns): the first
 * counts as a job coming however long it waits, the second is not one after a few seconds.
 * Most batches are done in milliseconds and never written; a job still held PUBLISH_AFTER_MS
 * after its fetch asks for a beat at once (`publish`), well inside the reaper's grace of 5 s.
 */
export class FetchedJobs {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private publish: () => void = () => {};

  /** Called (at most once per PUBLISH_AFTER_MS) when a job has been held long enough to be named now. */
  onLongHeld(publish: () => void): void {
    this.publish = publish;
  }

  /** The batch's jobs, as pg-boss handed them over. */
  add(jobIds: readonly string[]): void {
    for (const id of jobIds) this.held.add(id);
    if (this.timer || jobIds.length === 0) return;
    // Any job still held when it fires, also of a batch fetched while it ran: that one would
    // otherwise wait for the next regular beat, past the reaper's grace.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.held.size > 0) this.publish();
    }, PUBLISH_AFTER_MS);
    this.timer.unref();
  }

  /** The batch is done: pg-boss completes its jobs now. */
  remove(jobIds: readonly string[]): void {
    for (const id of jobIds) this.held.delete(id);
  }

  ids(): string[] {
    return [...this.held];
  }
}
