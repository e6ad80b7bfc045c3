import 'server-only';
import { z } from 'zod';
import type { TTaskApprovals } from '@/model/tasks/task-quorum';
import { ZRole } from '@/model/roles';

const ZEmail = z
  .string()
  .email('must be an email address')
  .transform((email) => email.toLowerCase());

/** A literal assignee (escalations and reassignments name people directly, not by expression). */
export const ZLiteralAssignee = z.union([
  z.object({ role: ZRole }).strict(),
  z.object({ user: ZEmail }).strict(),
  z
    .object({ users: z.array(ZEmail).min(1, 'list at least one person').max(100) })
    .strict()
    .transform(({ users }) => ({ users: [...new Set(users)] })),
]);

/** One escalation step: after `afterMs`, reassign and/or email the assignees. */
export const ZTaskEscalation = z
  .object({
    afterMs: z
      .number()
      .int()
      .min(1)
      .max(365 * 86_400_000),
    assignee: ZLiteralAssignee.optional(),
    notify: z.boolean().optional(),
  })
  .strict()
  .refine((step) => step.assignee !== undefined || step.notify === true, {
    message: 'an escalation step reassigns (assignee) and/or emails (notify: true)',
  });
export type TTaskEscalation = z.infer<typeof ZTaskEscalation>;

/** One answer as the saved value and the API show it (SPEC §10 `answers`). */
export const ZTaskAnswerEntry = z.object({
  outcome: z.string(),
  data: z.record(z.unknown()),
  by: z.string(),
  at: z.string(),
  /** The delegator, when a delegate answered for them. */
  onBehalfOf: z.string().nullable().optional(),
});
export type TTaskAnswerEntry = z.infer<typeof ZTaskAnswerEntry>;

/** What a task carries from its step's config beyond the SPEC §4.3 fields, as stored with it. */
export type TTaskRules = {
  approvals: TTaskApprovals | null;
  allowSelfApproval: boolean;
  context: unknown;
  /** The task is due this long after it is created (default: when it times out). */
  dueInMs: number | null;
  escalation: TTaskEscalation[];
  notify: boolean;
};

type TRulesInput = {
  assignee: { role: string } | { user: unknown } | { users: unknown };
  approvals?: TTaskApprovals;
};

/** Config checks across fields: `"all"` needs a list of people, and a count cannot exceed it. */
export function checkTaskRules(config: TRulesInput, ctx: z.RefinementCtx): void {
  const { approvals, assignee } = config;
  if (!approvals) return;
  const users = 'users' in assignee && Array.isArray(assignee.users) ? assignee.users : null;
  if (approvals.required === 'all' && !('users' in assignee))
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['approvals', 'required'],
      message: '"all" needs an assignee {"users": [emails]}: with a role, "all" is not a fixed number of people',
    });
  if (typeof approvals.required === 'number' && users && approvals.required > users.length)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['approvals', 'required'],
      message: `${approvals.required} approvals cannot come from the ${users.length} people listed`,
    });
  if ('user' in assignee && (approvals.required !== 1 || (approvals.rejectWhen ?? 'any') !== 'any'))
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['approvals'],
      message:
        'a task assigned to one person is decided by their answer: use {"users": [...]} or {"role"} for a quorum',
    });
}
