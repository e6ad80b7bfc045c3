import 'server-only';
import { z } from 'zod';
import { ZRole } from '@/model/roles';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';
import { ZVarsPath } from '@/model/definition/vars-path';
import { ZTaskApprovals } from '@/model/tasks/task-quorum';
import { checkTaskRules, ZTaskAnswerEntry, ZTaskEscalation } from '@/server/tasks/task-rules';

/** Outcomes are button labels and the value the workflow branches on, so they must be distinct. */
const ZOutcomes = z
  .array(z.string().trim().min(1, 'an outcome cannot be empty').max(64))
  .min(1, 'give at least one outcome, e.g. ["approve", "reject"]')
  .max(20)
  .superRefine((outcomes, ctx) => {
    outcomes.forEach((outcome, index) => {
      if (outcomes.indexOf(outcome) !== index)
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index], message: `"${outcome}" is listed twice` });
    });
  });

/**
 * Anyone with the role may answer, one person, or each of a list of people (for a quorum); the
 * emails may be computed (e.g. the requester).
 */
export const ZTaskAssignee = z.union([
  z.object({ role: ZRole }).strict(),
  z.object({ user: exprOr(z.string().email('must be an email address')) }).strict(),
  z
    .object({
      users: exprOr(z.array(z.string().email('must be an email address')).min(1, 'list at least one person').max(100)),
    })
    .strict(),
]);

const ZComputedTitle = z.string().trim().min(1).max(200);
const ZComputedEmail = z.string().email();
const ZComputedEmails = z.array(z.string().email()).min(1).max(100);

export const ZHumanTaskConfig = z
  .object({
    title: exprOr(z.string().trim().min(1, 'give the task a title').max(200)),
    description: exprOr(z.string().max(5000)).optional(),
    /** A JSON Schema of the data the person submits; the answer is validated against it. */
    form: z
      .object({ type: z.literal('object', { message: 'the form must be a JSON Schema with "type": "object"' }) })
      .passthrough(),
    outcomes: ZOutcomes,
    assignee: ZTaskAssignee,
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(365 * 86_400_000)
      .optional(),
    saveAs: ZVarsPath.optional(),
    /** SPEC §10: a quorum; each eligible person answers once. */
    approvals: ZTaskApprovals.optional(),
    /** false: the person or token that started the run may not answer (403). */
    allowSelfApproval: z.boolean().optional(),
    /** When the task is due (marked overdue in the inbox after); `timeoutMs` still ends it. */
    dueInMs: z
      .number()
      .int()
      .min(1)
      .max(365 * 86_400_000)
      .optional(),
    /** Past each `afterMs` the task is reassigned and/or its assignees are emailed. */
    escalation: z.array(ZTaskEscalation).max(10).optional(),
    /** Email the assignees when the task is created (and reassigned by an escalation). */
    notify: z.boolean().optional(),
    /** A value shown read-only with the task (literal, or computed from the run). */
    context: z.unknown().optional(),
  })
  .strict()
  .superRefine(checkTaskRules);

export const humanTask = defineNode('human.task', {
  configSchema: ZHumanTaskConfig,
  outputSchema: z.object({
    outcome: z.string(),
    data: z.record(z.unknown()),
    completedBy: z.string(),
    completedAt: z.string().datetime({ offset: true }),
    /** Every answer given, the deciding one last (SPEC §10). */
    answers: z.array(ZTaskAnswerEntry).optional(),
  }),
  async execute({ config, resolve }) {
    const title = await resolve(config.title, 'title');
    const description = config.description === undefined ? '' : await resolve(config.description, 'description');
    const user = 'user' in config.assignee ? await resolve(config.assignee.user, 'assignee.user') : null;
    const users = 'users' in config.assignee ? await resolve(config.assignee.users, 'assignee.users') : null;
    const context = config.context === undefined ? null : await resolve(config.context, 'context');
    // Computed values are held to the schema literal ones meet: a missing field must not make
    // a task titled or assigned to "undefined", which nobody would ever be shown.
    const problem = !ZComputedTitle.safeParse(title).success
      ? 'title: the expression must produce a non-empty text of at most 200 characters'
      : typeof description !== 'string' || description.length > 5000
        ? 'description: the expression must produce a text of at most 5000 characters'
        : user !== null && !ZComputedEmail.safeParse(user).success
          ? `assignee.user: the expression must produce an email address, not ${JSON.stringify(user) ?? 'nothing'}`
          : users !== null && !ZComputedEmails.safeParse(users).success
            ? `assignee.users: the expression must produce a list of 1 to 100 email addresses, not ${JSON.stringify(users) ?? 'nothing'}`
            : typeof config.approvals?.required === 'number' &&
                Array.isArray(users) &&
                config.approvals.required > users.length
              ? `approvals.required: ${config.approvals.required} approvals cannot come from ${users.length} people`
              : JSON.stringify(context ?? null).length > 20_000
                ? 'context: the value must be at most 20,000 characters as JSON'
                : null;
    if (problem) return { kind: 'fail', error: { code: 'VALIDATION', message: problem, retryable: false } };
    const assignee =
      'role' in config.assignee
        ? { role: config.assignee.role }
        : users !== null
          ? { users: [...new Set(ZComputedEmails.parse(users).map((email) => email.toLowerCase()))] }
          : { user: String(user) };
    const task = {
      title: String(title),
      description: String(description),
      form: config.form,
      outcomes: config.outcomes,
      assignee,
      approvals: config.approvals ?? null,
      allowSelfApproval: config.allowSelfApproval ?? true,
      context: context ?? null,
      dueInMs: config.dueInMs ?? null,
      escalation: config.escalation ?? [],
      notify: config.notify ?? false,
    };
    return { kind: 'wait', input: task, wait: { kind: 'task', timeoutMs: config.timeoutMs ?? null, task } };
  },
  async resume({ config, outcome }) {
    if (outcome.kind === 'expired')
      return {
        kind: 'fail',
        error: {
          code: 'TIMEOUT',
          message: `The task was not answered within ${config.timeoutMs} ms`,
          retryable: false,
        },
      };
    return {
      kind: 'next',
      output: outcome.payload,
      assign: config.saveAs ? [{ path: config.saveAs, value: outcome.payload }] : [],
    };
  },
});
