/**
 * What the suite did and what the server functions answered, for the invariants to hold the
 * database against: an operator's direct cancel or pause, a task answer that was accepted,
 * an event and the runs it said it resumed, a retry and the step it should re-execute.
 */
export type TViolation = { invariant: string; runId: string | null; message: string };

export type TDirectOperation = { runId: string; kind: 'cancel' | 'pause'; at: number; seq: number | null };

export type TAnswer = {
  taskId: string;
  runId: string;
  stepPath: string;
  outcome: string;
  at: number;
  by: 'operator' | 'admin';
  dueAt: number | null;
};

/** `at`: deliverEvent was called; `doneAt`: it returned, its transaction committed. */
export type TDeliveredEvent = {
  nonce: string;
  event: string;
  correlationKey: string | null;
  at: number;
  doneAt: number;
  resumed: string[];
  purpose: 'open-wait' | 'snipe' | 'free' | 'quiet';
};

export type TRetry = { runId: string; at: number; stepPath: string | null; maxAttemptBefore: number };

export type TJournal = {
  runIds: string[];
  direct: TDirectOperation[];
  answers: TAnswer[];
  events: TDeliveredEvent[];
  retries: TRetry[];
  /** Invariant breaches seen by the samplers while the run went on. */
  sampled: TViolation[];
  /** Operations tried and how they ended: `cancel:ok`, `pause:CONFLICT`, … */
  counts: Map<string, number>;
};

export function createJournal(): TJournal {
  return { runIds: [], direct: [], answers: [], events: [], retries: [], sampled: [], counts: new Map() };
}

export function count(journal: TJournal, what: string): void {
  journal.counts.set(what, (journal.counts.get(what) ?? 0) + 1);
}

/** The code of an AppError (or a pg error), for counting how an operation was refused. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String((error as { code: unknown }).code);
  return error instanceof Error ? error.message.slice(0, 40) : 'error';
}
