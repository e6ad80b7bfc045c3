/**
 * The runs a worker is advancing, at most `capacity` at a time. A fetched job waits here for a
 * free slot, then its run goes on in the background and the job is let go as soon as the run
 * is claimed. So a fetch loop is never held up by its slowest run: a batch with one run in a
 * long HTTP call or a slow step no longer keeps the worker from taking new runs (before, three
 * such runs in three fetch loops stopped the worker taking any work at all).
 */
export class RunsInHand {
  private readonly running = new Set<Promise<void>>();
  private readonly waiting: Array<() => void> = [];
  private closed = false;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.running.size;
  }

  /**
   * Resolves true when `advance` has signalled its claim (or ended); `advance` itself runs on.
   * `advance` gets the callback to signal with and must not reject. Resolves false, without
   * calling `advance`, once the worker is stopping: the caller hands the job back.
   */
  async take(advance: (claimed: () => void) => Promise<void>): Promise<boolean> {
    while (!this.closed && this.running.size >= this.capacity)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.closed) return false;
    let claimed!: () => void;
    const decided = new Promise<void>((resolve) => (claimed = resolve));
    const run = advance(claimed).finally(() => {
      this.running.delete(run);
      claimed();
      this.waiting.shift()?.();
    });
    this.running.add(run);
    await decided;
    return true;
  }

  /** Takes no more runs: every waiting and later `take` resolves false. Runs in hand go on. */
  close(): void {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Waits for the runs in hand to reach their end, or for `timeoutMs`, whichever is first. */
  async drain(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
    clearTimeout(timer);
    return this.running.size;
  }
}
