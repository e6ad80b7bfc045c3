import 'server-only';
import { getDb } from '@/server/db/database';
import { insertRuns, type TNewRun } from '@/server/runtime/run-store/insert-run';

type TPending = { run: TNewRun; resolve: (created: boolean) => void; reject: (error: unknown) => void };

/** At most this many runs per statement: a few hundred rows keep one statement a few milliseconds. */
const MAX_BATCH = 256;

/**
 * Group commit for starts that need no transaction of their own. While one statement is in
 * flight, the starts that arrive meanwhile wait and go out together as the next one; when
 * nothing is in flight a start is written at once, so an idle server adds no delay. Under load
 * a commit (and its WAL flush) serves many starts instead of one.
 */
class RunInsertBatcher {
  private pending: TPending[] = [];
  private flushing = false;

  /** Resolves true once the run is committed, false when its pin check refused it. */
  submit(run: TNewRun): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ run, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        await this.write(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(batch: TPending[]): Promise<void> {
    try {
      const created = await insertRuns(
        getDb(),
        batch.map((p) => p.run),
      );
      for (const p of batch) p.resolve(created.has(p.run.id));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One run the database refuses must not fail the others that shared its statement.
      await Promise.all(
        batch.map((p) => insertRuns(getDb(), [p.run]).then((created) => p.resolve(created.has(p.run.id)), p.reject)),
      );
    }
  }
}

const globalForBatcher = globalThis as unknown as { pipewrightRunInsertBatcher?: RunInsertBatcher };

/**
 * Writes a run (row, first event, audit entry, job) in a statement shared with the starts
 * around it. Resolves true once committed, false when the run's pin check refused it.
 */
export function insertRunBatched(run: TNewRun): Promise<boolean> {
  globalForBatcher.pipewrightRunInsertBatcher ??= new RunInsertBatcher();
  return globalForBatcher.pipewrightRunInsertBatcher.submit(run);
}
