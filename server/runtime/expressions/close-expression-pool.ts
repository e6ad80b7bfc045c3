import { EXPRESSION_WORKER_HEAP_MB } from './expression-limits';
import { ExpressionPool } from './expression-pool';

/** Sized for the 2-core target: one worker per core; more would only queue on the CPU. */
const POOL_SIZE = 2;

let shared: ExpressionPool | null = null;

/** The process-wide pool, started on first use. */
export function sharedExpressionPool(): ExpressionPool {
  shared ??= new ExpressionPool({ size: POOL_SIZE, heapMb: EXPRESSION_WORKER_HEAP_MB });
  return shared;
}

/** Stops the shared pool's workers (graceful shutdown, end of tests). A later evaluation starts a new pool. */
export async function closeExpressionPool(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}
