import 'server-only';
import type { TBlockType } from '@/model/nodes/node-shapes';
import { runBranch, runTryCatch } from '@/server/runtime/interpreter/run-blocks';
import { runForEach, runParallel } from '@/server/runtime/interpreter/run-concurrent-blocks';
import type { TBlockRunner } from '@/server/runtime/interpreter/run-types';

/**
 * The runner of every block type (a node shape with a `block` kind, model/nodes). The
 * `satisfies` clause makes a block type without a runner, or a runner for a type that is not
 * a block, a compile error (Kysely's visitor map).
 */
export const BLOCK_RUNNERS = {
  'control.if': runBranch,
  'control.switch': runBranch,
  'control.forEach': runForEach,
  'control.parallel': runParallel,
  'control.tryCatch': runTryCatch,
} as const satisfies Record<TBlockType, TBlockRunner>;
