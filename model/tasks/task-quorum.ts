import { z } from 'zod';

/** SPEC §10: how many people must choose the first outcome, and how many another one, to decide. */
export const ZTaskApprovals = z
  .object({
    required: z.union([z.number().int().min(1).max(1000), z.literal('all')]),
    rejectWhen: z.union([z.literal('any'), z.number().int().min(1).max(1000)]).optional(),
  })
  .strict();
export type TTaskApprovals = z.infer<typeof ZTaskApprovals>;

export type TQuorumAnswer = { outcome: string; by: string };

/** Where a task's answers stand: counts, thresholds, and the deciding outcome once there is one. */
export type TQuorumTally = {
  approvals: number;
  /** Approvals needed in all (the first outcome). */
  required: number;
  rejections: number;
  /** Answers with another outcome that decide the task. */
  rejectAt: number;
  /** The deciding outcome, or null while the task stays open. */
  decided: string | null;
};

/**
 * Counts a task's answers against its rule. Without `approvals` the first answer decides, as a
 * single-answer task always did. With a list of people (`eligible` = their number), the task is
 * also decided against when the people left can no longer reach `required`.
 */
export function tallyAnswers({
  outcomes,
  approvals,
  eligible,
  answers,
}: {
  outcomes: readonly string[];
  approvals: TTaskApprovals | null;
  /** How many people may answer, when the assignee is a list of them; null for a role. */
  eligible: number | null;
  answers: readonly TQuorumAnswer[];
}): TQuorumTally {
  const first = outcomes[0];
  const required = !approvals ? 1 : approvals.required === 'all' ? Math.max(eligible ?? 1, 1) : approvals.required;
  const rejectAt =
    !approvals || approvals.rejectWhen === undefined || approvals.rejectWhen === 'any' ? 1 : approvals.rejectWhen;
  const approving = answers.filter((answer) => answer.outcome === first).length;
  const rejecting = answers.length - approving;
  const last = answers[answers.length - 1];
  const approvalsLeftPossible = eligible === null ? Infinity : Math.max(eligible - answers.length, 0);
  const decided =
    approving >= required
      ? (first ?? null)
      : rejecting >= rejectAt || approving + approvalsLeftPossible < required
        ? (lastOtherOutcome(answers, first) ?? last?.outcome ?? null)
        : null;
  return { approvals: approving, required, rejections: rejecting, rejectAt, decided };
}

function lastOtherOutcome(answers: readonly TQuorumAnswer[], first: string | undefined): string | undefined {
  for (let index = answers.length - 1; index >= 0; index -= 1)
    if (answers[index]!.outcome !== first) return answers[index]!.outcome;
  return undefined;
}

/** "2 of 3 approvals · 1 more needed" for the inbox and the task page. */
export function describeTally(tally: TQuorumTally): string {
  const more = Math.max(tally.required - tally.approvals, 0);
  const base = `${tally.approvals} of ${tally.required} approval${tally.required === 1 ? '' : 's'}`;
  if (tally.decided) return base;
  const rejectNote =
    tally.rejections > 0
      ? ` · ${tally.rejections} of ${tally.rejectAt} rejection${tally.rejectAt === 1 ? '' : 's'}`
      : '';
  return `${base}${rejectNote} · ${more} more needed`;
}
