import { EXPRESSION_WORKER_HEAP_MB } from './expression-limits';
import { ExpressionPool } from './expression-pool';

/** Sized for the 2-core target: one worker per core; more would only queue on the CPU. */
const POOL_SIZE = 2;

/**
 * The designer's "try it" gets workers of its own, in the web process: an evaluation on the
 * request thread held every other request until it ended and grew the web server's heap for
 * good (8 hostile ones: health 7.8 s, 105 → 862 MB). In a worker its heap is capped and freed
 * when the worker is replaced, and a flood of tries cannot queue ahead of a run's expressions.
 */
const TRY_POOL_SIZE = 2;

let shared: ExpressionPool | null = null;
let tryPool: ExpressionPool | null = null;

/** The process-wide pool, started on first use. */
export function sharedExpressionPool(): ExpressionPool {
  shared ??= new ExpressionPool({ size: POOL_SIZE, heapMb: EXPRESSION_WORKER_HEAP_MB });
  return shared;
}

/** The pool of "try it" evaluations (POST /expressions/evaluate), started on first use. */
export function tryExpressionPool(): ExpressionPool {
  tryPool ??= new ExpressionPool({ size: TRY_POOL_SIZE, heapMb: EXPRESSION_WORKER_HEAP_MB });
  return tryPool;
}

/** Stops both pools' workers (graceful shutdown, end of tests). A later evaluation starts a new pool. */
export async function closeExpressionPool(): Promise<void> {
  const pools = [shared, tryPool];
  shared = null;
  tryPool = null;
  await Promise.all(pools.map((pool) => pool?.close()));
}
