import 'server-only';
import { assertNever } from '@/model/errors';
import type { TBlockState, TExecution, TPipeCursor, TScope } from '@/server/runtime/execution/execution-state';

/** A saved execution moved back to its failed steps, and the pipes that will run again. */
export type TRewound = {
  execution: TExecution;
  /** Path prefixes (`<try block path>.config.finally`) of finally pipes that ran after the failure and will run again. */
  rerunPipes: string[];
};

/**
 * Moves a FAILED run's saved execution back to the step that failed, for an operator's retry
 * (SPEC §7.6). Most failures need nothing: a failing step never advances its cursor. A try
 * block whose catch failed has moved on to run `finally`, though, and left the catch's cursor
 * and vars behind; its `failedAt` puts them back, so the retry runs the failed step again with
 * the vars it had before it, then the rest of catch, then finally again. Applied through every
 * nested block (a try inside a forEach iteration inside a parallel branch), innermost last,
 * since an inner block's saved vars are older than its outer block's. Pure: returns a copy.
 *
 * @example
 * // try failed, catch step 1 failed, finally ran: the block is in `finally`, after: fail
 * rewindForRetry(execution).execution.cursor.block // { kind: 'try', phase: 'catch', cursor: { index: 1 }, after: { type: 'continue' }, … }
 */
export function rewindForRetry(saved: TExecution): TRewound {
  const execution = structuredClone(saved);
  const rerunPipes: string[] = [];
  rewindCursor(execution.cursor, execution.scope, 'steps', rerunPipes);
  return { execution, rerunPipes };
}

function rewindCursor(cursor: TPipeCursor, scope: TScope, base: string, rerunPipes: string[]): void {
  if (cursor.block) rewindBlock(cursor.block, scope, `${base}[${cursor.index}]`, rerunPipes);
}

function rewindBlock(block: TBlockState, scope: TScope, path: string, rerunPipes: string[]): void {
  switch (block.kind) {
    case 'branch':
      return rewindCursor(block.cursor, scope, `${path}.config.${block.pipe}`, rerunPipes);
    case 'try': {
      const failure = block.failedAt;
      if (failure) {
        // The pipe's scope object is shared with the pipes around it: changed in place.
        scope.vars = failure.scope.vars;
        scope.error = failure.scope.error;
        Object.assign(block, { phase: failure.phase, cursor: failure.cursor, after: { type: 'continue' } });
        delete block.failedAt;
        rerunPipes.push(`${path}.config.finally`);
      }
      return rewindCursor(block.cursor, scope, `${path}.config.${block.phase}`, rerunPipes);
    }
    case 'forEach':
      for (const slot of block.active)
        rewindCursor(slot.cursor, slot.scope, `${path}#${slot.index}.config.steps`, rerunPipes);
      return;
    case 'parallel':
      block.branches.forEach((branch, index) => {
        if (!branch.done)
          rewindCursor(branch.cursor, branch.scope, `${path}.config.branches[${index}].steps`, rerunPipes);
      });
      return;
    case 'wait':
      return;
    default:
      return assertNever(block);
  }
}
