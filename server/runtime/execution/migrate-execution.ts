import 'server-only';
import type { TStep } from '@/model/definition/step';
import { nestedPipesOf } from '@/server/runtime/nodes/nested-pipes';
import type { TBlockState, TExecution, TPipeCursor, TTryFailure } from '@/server/runtime/execution/execution-state';

/*
 * Moving a waiting run to another published version of its workflow (SPEC §9 migrate), as far
 * as its saved state goes. Everything a run stores is keyed by positional step paths
 * (`steps[2].config.then[0]`, `steps[1]#3.config.steps[0]`), so the plan is a translation of
 * paths from the old version's tree to the new one's, by step id (or `stepMap`): each step on
 * the way to where the run is must exist in the new version, in the block and pipe that
 * corresponds to where it was, with the same type. Steps the new version adds before that
 * point are treated as passed; steps it adds after it run.
 */

export type TMigrationProblem = { stepId: string; path: string; reason: string };

export type TMigrationPlan = {
  /** The run's execution with every cursor pointing into the new version. */
  execution: TExecution;
  /** A stored path (of a step record, wait, task…) in the new version, or null for a step it does not have. */
  translatePath: (path: string) => string | null;
  /** What cannot be carried; the migration happens only when this is empty. */
  problems: TMigrationProblem[];
};

type TPipeRefs = { from: readonly TStep[]; to: readonly TStep[]; fromBase: string; toBase: string };

export function planMigration({
  from,
  to,
  execution,
  stepMap = {},
}: {
  from: readonly TStep[];
  to: readonly TStep[];
  execution: TExecution;
  stepMap?: Record<string, string>;
}): TMigrationPlan {
  const problems: TMigrationProblem[] = [];
  const newId = (id: string) => stepMap[id] ?? id;

  /** The step of `pipe.to` that carries `step`, or a problem saying why none does. */
  const counterpart = (pipe: TPipeRefs, index: number, step: TStep) => {
    const path = `${pipe.fromBase}[${index}]`;
    const at = pipe.to.findIndex((candidate) => candidate.id === newId(step.id));
    if (at < 0) {
      const where = pipe.toBase === 'steps' ? 'at the top level' : `in the same place (${pipe.toBase})`;
      problems.push({ stepId: step.id, path, reason: `the new version has no step "${newId(step.id)}" ${where}` });
      return null;
    }
    const target = pipe.to[at]!;
    if (target.type !== step.type) {
      problems.push({ stepId: step.id, path, reason: `it is a ${step.type} here and a ${target.type} there` });
      return null;
    }
    return { step: target, path, newPath: `${pipe.toBase}[${at}]`, index: at };
  };

  const nestedPipe = (step: TStep, target: TStep, pipePath: string, path: string, newPath: string) => {
    const fromPipe = nestedPipesOf(step.type, step.config).find((pipe) => pipe.path === pipePath);
    const toPipe = nestedPipesOf(target.type, target.config).find((pipe) => pipe.path === pipePath);
    if (!fromPipe) return null;
    if (!toPipe) {
      problems.push({ stepId: step.id, path, reason: `the new version's "${target.id}" has no ${pipePath}` });
      return null;
    }
    return {
      from: fromPipe.steps as TStep[],
      to: toPipe.steps as TStep[],
      fromBase: `${path}.config.${pipePath}`,
      toBase: `${newPath}.config.${pipePath}`,
    };
  };

  const carryPipe = (pipe: TPipeRefs, cursor: TPipeCursor): TPipeCursor => {
    // A pipe that ran to its end (a parallel branch that is done) ends in the new version too.
    if (cursor.index >= pipe.from.length) return { index: pipe.to.length };
    const step = pipe.from[cursor.index]!;
    const found = counterpart(pipe, cursor.index, step);
    if (!found) return cursor;
    if (!cursor.block) return { index: found.index };
    return { index: found.index, block: carryBlock(step, found, cursor.block) };
  };

  const carryBlock = (
    step: TStep,
    found: { step: TStep; path: string; newPath: string },
    block: TBlockState,
  ): TBlockState => {
    const { path, newPath } = found;
    const inner = (pipePath: string) => nestedPipe(step, found.step, pipePath, path, newPath);
    switch (block.kind) {
      case 'wait': {
        // An action's default idempotency key is `<runId>:<path>`: a retry under another path
        // would reach the receiver as a new request after an attempt whose outcome is unknown.
        const keyed = typeof (step.config as { idempotencyKey?: unknown } | null)?.idempotencyKey === 'string';
        if (block.retry && step.type === 'action.call' && !keyed && path !== newPath)
          problems.push({
            stepId: step.id,
            path,
            reason: `it waits to retry an action whose idempotency key is its place (${path}), which would become ${newPath}; migrate once the retry has run, or keep the step where it is`,
          });
        return block;
      }
      case 'branch': {
        const pipe = inner(block.pipe);
        return pipe ? { ...block, cursor: carryPipe(pipe, block.cursor) } : block;
      }
      case 'try': {
        const pipe = inner(block.phase);
        const carried: TBlockState = pipe ? { ...block, cursor: carryPipe(pipe, block.cursor) } : block;
        if (!block.failedAt) return carried;
        const failedPipe = inner(block.failedAt.phase);
        const failedAt: TTryFailure = failedPipe
          ? { ...block.failedAt, cursor: carryPipe(failedPipe, block.failedAt.cursor) }
          : block.failedAt;
        return { ...carried, failedAt };
      }
      case 'forEach': {
        // The loop's items were evaluated once, by the old version's `items`: steps written for
        // items of another shape would meet these.
        const items = (s: TStep) => JSON.stringify((s.config as { items?: unknown }).items ?? null);
        if (items(step) !== items(found.step))
          problems.push({
            stepId: step.id,
            path,
            reason: `its items are computed differently in the new version, and the loop in flight holds ${block.items.length} items computed the old way`,
          });
        const pipe = inner('steps');
        if (!pipe) return block;
        const active = block.active.map((slot) => ({
          ...slot,
          cursor: carryPipe(
            {
              ...pipe,
              fromBase: `${path}#${slot.index}.config.steps`,
              toBase: `${newPath}#${slot.index}.config.steps`,
            },
            slot.cursor,
          ),
        }));
        return { ...block, active };
      }
      case 'parallel': {
        // A branch's state is matched to its config by position: the branches must be the same.
        const ids = (s: TStep) => ((s.config as { branches?: Array<{ id: string }> }).branches ?? []).map((b) => b.id);
        if (ids(step).join('\n') !== ids(found.step).join('\n')) {
          problems.push({
            stepId: step.id,
            path,
            reason: `its branches (${ids(step).join(', ')}) differ from the new version's (${ids(found.step).join(', ')})`,
          });
          return block;
        }
        const branches = block.branches.map((branch, index) => {
          const pipe = inner(`branches[${index}].steps`);
          return pipe ? { ...branch, cursor: carryPipe(pipe, branch.cursor) } : branch;
        });
        return { ...block, branches };
      }
    }
  };

  const root: TPipeRefs = { from, to, fromBase: 'steps', toBase: 'steps' };
  const cursor = carryPipe(root, execution.cursor);
  const translatePath = (path: string) => translate(path, root, newId);
  const attempts: Record<string, number> = {};
  for (const [path, count] of Object.entries(execution.attempts)) {
    const moved = translatePath(path);
    if (moved !== null) attempts[moved] = count;
  }
  return { execution: { ...execution, cursor, attempts }, translatePath, problems };
}

/** A path of a step (not `$run.timeout` or another name a run's own rows use). */
export const isStepPath = (path: string): boolean => STEP_PATH_FIRST.test(path);

/** `steps[2]`, then any of `#3` (a forEach iteration) and `.config.<pipe>[1]` (a step in a nested pipe). */
export const STEP_PATH_FIRST = /^steps\[(\d+)\]/;
export const STEP_PATH_NEXT = /^(?:#(\d+))?\.config\.(.+?)\[(\d+)\](?=$|#|\.config\.)/;

/** A stored step path in the new version, by the ids of the steps along it; null when one is missing. */
function translate(path: string, root: TPipeRefs, newId: (id: string) => string): string | null {
  const first = STEP_PATH_FIRST.exec(path);
  if (!first) return null;
  let rest = path.slice(first[0].length);
  let pipe = { from: root.from, to: root.to };
  let index = Number(first[1]);
  let out = 'steps';
  for (;;) {
    const step = pipe.from[index];
    if (!step) return null;
    const at = pipe.to.findIndex((candidate) => candidate.id === newId(step.id));
    if (at < 0) return null;
    const target = pipe.to[at]!;
    out += `[${at}]`;
    if (rest === '') return out;
    const next = STEP_PATH_NEXT.exec(rest);
    if (!next || target.type !== step.type) return null;
    const [whole, iteration, pipePath, nextIndex] = next;
    const fromPipe = nestedPipesOf(step.type, step.config).find((p) => p.path === pipePath);
    const toPipe = nestedPipesOf(target.type, target.config).find((p) => p.path === pipePath);
    if (!fromPipe || !toPipe) return null;
    out += `${iteration === undefined ? '' : `#${iteration}`}.config.${pipePath}`;
    pipe = { from: fromPipe.steps as TStep[], to: toPipe.steps as TStep[] };
    index = Number(nextIndex);
    rest = rest.slice(whole.length);
  }
}
