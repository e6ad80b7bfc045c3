import { pipeLabelOf } from '@/model/nodes/nested-pipes';
import { isTerminal, type TRunStatus } from '@/model/run-status';
import type { TRunEventRecord } from '@/server/runs/list-run-events';
import type { TStepRecord } from '@/server/runs/list-run-steps';

export type TStepNodeStatus = TStepRecord['status'];

/** One step path of a run: its attempts, and for a block the groups of its nested steps. */
export type TTimelineStep = {
  kind: 'step';
  path: string;
  stepId: string;
  type: string;
  /** Oldest first; empty while a block is still running (blocks get their record when they end). */
  attempts: TStepRecord[];
  status: TStepNodeStatus;
  startedAt: string;
  completedAt: string | null;
  /** When a failed attempt will be tried again (a durable timer), if one is scheduled. */
  retryAt: string | null;
  groups: TTimelineGroup[];
};

/** The nested steps of one pipe of a block ("Then", "Case 2") or one forEach iteration ("Item 3"). */
export type TTimelineGroup = {
  kind: 'group';
  key: string;
  label: string;
  startedAt: string;
  completedAt: string | null;
  status: TStepNodeStatus | null;
  steps: TTimelineStep[];
};

/**
 * Where a step path sits: `steps[1].config.then[0]` is in pipe `then` of block `steps[1]`;
 * `steps[1]#2.config.steps[0]` is in iteration 2 of forEach `steps[1]`. Top-level paths have
 * no parent.
 */
export function parentOf(path: string): { block: string; pipe: string; iteration: number | null } | null {
  const at = path.lastIndexOf('.config.');
  if (at < 0) return null;
  const container = path.slice(0, at);
  const pipe = path.slice(at + '.config.'.length).replace(/\[\d+\]$/, '');
  const iteration = /^(.*)#(\d+)$/.exec(container);
  return iteration
    ? { block: iteration[1]!, pipe, iteration: Number(iteration[2]) }
    : { block: container, pipe, iteration: null };
}

function latest<T extends { startedAt: string; completedAt: string | null }>(
  items: T[],
): { startedAt: string; completedAt: string | null } {
  const startedAt = items.reduce((min, item) => (item.startedAt < min ? item.startedAt : min), items[0]!.startedAt);
  const open = items.some((item) => item.completedAt === null);
  const completedAt = open
    ? null
    : items.reduce<string | null>(
        (max, item) => (max === null || (item.completedAt ?? '') > max ? item.completedAt : max),
        null,
      );
  return { startedAt, completedAt };
}

const STATUS_WEIGHT: Record<TStepNodeStatus, number> = {
  FAILED: 5,
  RUNNING: 4,
  WAITING: 3,
  CANCELED: 2,
  SUCCEEDED: 1,
  SKIPPED: 0,
};

/** The status a group shows: the most telling of its steps (a failure beats a success). */
function groupStatus(steps: TTimelineStep[]): TStepNodeStatus | null {
  return steps.reduce<TStepNodeStatus | null>(
    (worst, step) => (worst === null || STATUS_WEIGHT[step.status] > STATUS_WEIGHT[worst] ? step.status : worst),
    null,
  );
}

/**
 * Builds the run's timeline from its step records (one per attempt) and its event log: steps
 * by path, nested steps grouped under their block's pipes and forEach iterations, blocks that
 * are still running (no record yet) taken from their `step.started` event, and scheduled
 * retries from `step.retry_scheduled`.
 */
export function buildStepTree(
  records: ReadonlyArray<TStepRecord>,
  events: ReadonlyArray<TRunEventRecord> = [],
  /** The run's end, once it has one: a step still open then (a block a cancel cut short) ended with it. */
  runEnd: { status: TRunStatus; completedAt: string | null } | null = null,
): TTimelineStep[] {
  const nodes = new Map<string, TTimelineStep>();
  const ensure = (path: string, stepId: string, type: string, startedAt: string) => {
    let node = nodes.get(path);
    if (!node)
      nodes.set(
        path,
        (node = {
          kind: 'step',
          path,
          stepId,
          type,
          attempts: [],
          status: 'RUNNING',
          startedAt,
          completedAt: null,
          retryAt: null,
          groups: [],
        }),
      );
    return node;
  };
  for (const event of events) {
    const data = (event.data ?? {}) as { path?: unknown; type?: unknown };
    if (event.type === 'step.started' && typeof data.path === 'string' && event.stepId)
      ensure(data.path, event.stepId, typeof data.type === 'string' ? data.type : '', event.at);
  }
  for (const record of records) ensure(record.path, record.stepId, record.type, record.startedAt).attempts.push(record);
  const retries = new Map<string, { attempt: number; at: string }>();
  for (const event of events) {
    const data = (event.data ?? {}) as { path?: unknown; attempt?: unknown; at?: unknown };
    if (
      event.type === 'step.retry_scheduled' &&
      typeof data.path === 'string' &&
      typeof data.at === 'string' &&
      typeof data.attempt === 'number'
    )
      retries.set(data.path, { attempt: data.attempt, at: data.at });
  }
  for (const node of nodes.values()) {
    node.attempts.sort((a, b) => a.attempt - b.attempt);
    const last = node.attempts.at(-1);
    if (last) {
      node.status = last.status;
      node.type ||= last.type;
      Object.assign(node, latest(node.attempts));
      const retry = retries.get(node.path);
      if (retry && last.status === 'FAILED' && retry.attempt === last.attempt) {
        node.retryAt = retry.at;
        node.completedAt = null;
      }
    }
  }
  if (runEnd && isTerminal(runEnd.status)) {
    for (const node of nodes.values()) {
      if (node.status !== 'RUNNING' && node.status !== 'WAITING') continue;
      // A block gets its record when it ends; one the run ended around never does.
      node.status = runEnd.status === 'FAILED' ? 'FAILED' : 'CANCELED';
      node.completedAt = runEnd.completedAt ?? node.startedAt;
      node.retryAt = null;
    }
  }
  const roots: TTimelineStep[] = [];
  const byStart = (a: { startedAt: string }, b: { startedAt: string }) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0;
  for (const node of nodes.values()) {
    const parent = parentOf(node.path);
    const block = parent ? nodes.get(parent.block) : undefined;
    if (!parent || !block) {
      roots.push(node);
      continue;
    }
    const key = parent.iteration === null ? `${block.path}/${parent.pipe}` : `${block.path}#${parent.iteration}`;
    let group = block.groups.find((g) => g.key === key);
    if (!group)
      block.groups.push(
        (group = {
          kind: 'group',
          key,
          label: parent.iteration === null ? pipeLabelOf(block.type, parent.pipe) : `Item ${parent.iteration + 1}`,
          startedAt: node.startedAt,
          completedAt: null,
          status: null,
          steps: [],
        }),
      );
    group.steps.push(node);
  }
  for (const node of nodes.values()) {
    for (const group of node.groups) {
      group.steps.sort(byStart);
      Object.assign(group, latest(group.steps));
      group.status = groupStatus(group.steps);
    }
    node.groups.sort((a, b) => {
      const ia = /#(\d+)$/.exec(a.key);
      const ib = /#(\d+)$/.exec(b.key);
      return ia && ib ? Number(ia[1]) - Number(ib[1]) : byStart(a, b);
    });
  }
  return roots.sort(byStart);
}

/** The step ids a run went through, for highlighting its path in the graph. */
export function takenStepIds(
  records: ReadonlyArray<TStepRecord>,
  events: ReadonlyArray<TRunEventRecord> = [],
): string[] {
  const ids = new Set<string>();
  for (const record of records) if (record.status !== 'SKIPPED') ids.add(record.stepId);
  for (const event of events) if (event.type === 'step.started' && event.stepId) ids.add(event.stepId);
  return [...ids];
}

/** The status of each step id's latest attempt (across iterations the most telling one). */
export function statusByStepId(records: ReadonlyArray<TStepRecord>): Record<string, TStepNodeStatus> {
  const statuses: Record<string, TStepNodeStatus> = {};
  const lastAttempt = new Map<string, TStepRecord>();
  for (const record of records) {
    const current = lastAttempt.get(record.path);
    if (!current || record.attempt > current.attempt) lastAttempt.set(record.path, record);
  }
  for (const record of lastAttempt.values()) {
    const seen = statuses[record.stepId];
    if (!seen || STATUS_WEIGHT[record.status] > STATUS_WEIGHT[seen]) statuses[record.stepId] = record.status;
  }
  return statuses;
}
