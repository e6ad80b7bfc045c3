import { z } from 'zod';
import { AppError, assertNever } from '@/model/errors';

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'WAITING', 'PAUSED', 'SUCCEEDED', 'FAILED', 'CANCELED'] as const;
export type TRunStatus = (typeof RUN_STATUSES)[number];
export const ZRunStatus = z.enum(RUN_STATUSES);

export const STEP_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'WAITING', 'SKIPPED', 'CANCELED'] as const;
export type TStepStatus = (typeof STEP_STATUSES)[number];

export const RUN_EVENT_TYPES = [
  'run.queued',
  'run.started',
  'step.started',
  'step.succeeded',
  'step.failed',
  'step.retry_scheduled',
  'run.waiting',
  'run.resumed',
  'run.paused',
  'task.created',
  'task.completed',
  'task.escalated',
  'run.succeeded',
  'run.failed',
  'run.canceled',
  'run.migrated',
  'log',
] as const;
export type TRunEventType = (typeof RUN_EVENT_TYPES)[number];

export function isTerminal(status: TRunStatus): boolean {
  switch (status) {
    case 'SUCCEEDED':
    case 'FAILED':
    case 'CANCELED':
      return true;
    case 'QUEUED':
    case 'RUNNING':
    case 'WAITING':
    case 'PAUSED':
      return false;
    default:
      return assertNever(status, 'run status');
  }
}

/** Operator actions (SPEC §5) and the statuses each may start from. */
export const RUN_OPERATIONS = {
  pause: ['QUEUED', 'RUNNING', 'WAITING'],
  resume: ['PAUSED', 'WAITING'],
  cancel: ['QUEUED', 'RUNNING', 'WAITING', 'PAUSED'],
  retry: ['FAILED'],
  rerun: ['SUCCEEDED', 'FAILED', 'CANCELED'],
  migrate: ['WAITING', 'PAUSED'],
} as const satisfies Record<string, readonly TRunStatus[]>;
export type TRunOperation = keyof typeof RUN_OPERATIONS;

export function canOperate(operation: TRunOperation, status: TRunStatus): boolean {
  return (RUN_OPERATIONS[operation] as readonly TRunStatus[]).includes(status);
}

const PAST_PARTICIPLE = {
  pause: 'paused',
  resume: 'resumed',
  cancel: 'canceled',
  retry: 'retried',
  rerun: 'rerun',
  migrate: 'migrated',
} as const satisfies Record<TRunOperation, string>;

/** Throws CONFLICT (409) naming the status when an operation does not apply to it. */
export function assertCanOperate(operation: TRunOperation, status: TRunStatus): void {
  if (!canOperate(operation, status)) {
    throw new AppError(
      'CONFLICT',
      `A ${status} run cannot be ${PAST_PARTICIPLE[operation]} (only ${RUN_OPERATIONS[operation].join(', ')}).`,
      { status },
    );
  }
}
