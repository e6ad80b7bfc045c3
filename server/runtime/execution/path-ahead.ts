import 'server-only';
import type { TBlockState, TPipeCursor } from '@/server/runtime/execution/execution-state';
import { STEP_PATH_FIRST, STEP_PATH_NEXT } from '@/server/runtime/execution/migrate-execution';

/*
 * Whether a run would still reach a step path from where its execution stands: the step at
 * the cursor or after it in a pipe that is running or still to run. A migration asks this of
 * every step that already succeeded: a version that moves such a step after where the run
 * waits would run it a second time (SPEC §7: a completed side effect is never repeated).
 */

const TRY_PHASES = ['try', 'catch', 'finally'];

type TSegment = { iteration: number | null; pipe: string; index: number };

/** `steps[2]#3.config.steps[0]` → 2 and [{ iteration: 3, pipe: 'steps', index: 0 }] (the paths translatePath reads); null for another name. */
function parsePath(path: string): { index: number; rest: TSegment[] } | null {
  const first = STEP_PATH_FIRST.exec(path);
  if (!first) return null;
  const rest: TSegment[] = [];
  let tail = path.slice(first[0].length);
  while (tail !== '') {
    const next = STEP_PATH_NEXT.exec(tail);
    if (!next) return null;
    rest.push({ iteration: next[1] === undefined ? null : Number(next[1]), pipe: next[2]!, index: Number(next[3]) });
    tail = tail.slice(next[0].length);
  }
  return { index: Number(first[1]), rest };
}

/**
 * The cursor of the pipe `segment` is in, inside the block the run is in: null when that pipe
 * is done or never runs (a branch not taken, a try phase passed, a loop iteration finished, a
 * parallel branch that ended), 'ahead' when it has not started yet.
 */
function innerCursor(block: TBlockState, segment: TSegment): TPipeCursor | 'ahead' | null {
  switch (block.kind) {
    case 'branch':
      return segment.pipe === block.pipe ? block.cursor : null;
    case 'try': {
      const order = TRY_PHASES.indexOf(segment.pipe) - TRY_PHASES.indexOf(block.phase);
      return order === 0 ? block.cursor : order > 0 ? 'ahead' : null;
    }
    case 'forEach': {
      const slot = block.active.find((active) => active.index === segment.iteration);
      if (slot) return slot.cursor;
      return segment.iteration !== null && segment.iteration >= block.next ? 'ahead' : null;
    }
    case 'parallel': {
      const branch = block.branches[Number(/^branches\[(\d+)\]\.steps$/.exec(segment.pipe)?.[1] ?? -1)];
      return branch && !branch.done ? branch.cursor : null;
    }
    case 'wait':
      return null;
  }
}

/** Whether the run, at `cursor`, still runs the step at `path` (a path of the same version). */
export function isPathAhead(path: string, cursor: TPipeCursor): boolean {
  const parsed = parsePath(path);
  if (!parsed) return false;
  let at: TPipeCursor = cursor;
  let index = parsed.index;
  for (const segment of parsed.rest) {
    if (index !== at.index) return index > at.index;
    // The step at the cursor not entered yet (a run paused before it): all of it is ahead.
    if (!at.block) return true;
    const inner = innerCursor(at.block, segment);
    if (inner === 'ahead') return true;
    if (inner === null) return false;
    at = inner;
    index = segment.index;
  }
  return index >= at.index;
}
