'use server';

import { z } from 'zod';
import { ZAlertRuleInput } from '@/model/alert-rule';
import { ZWorkflowKey } from '@/model/definition/version-document';
import { createAlertRule, deleteAlertRule } from '@/server/alerts/manage-alert-rules';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { updateWorkflow } from '@/server/workflows/update-workflow';

const revalidate = ['/settings/alerts', '/overview'];

/** Returns the rule and its webhook signing key, shown once. */
export const createAlertRuleAction = defineServerAction(
  { permission: 'workflow.write', input: ZAlertRuleInput, revalidate },
  ({ db, ctx, input }) => createAlertRule({ db, ctx, input }),
);

export const deleteAlertRuleAction = defineServerAction(
  { permission: 'workflow.write', input: z.object({ id: z.string().max(100) }), revalidate },
  ({ db, ctx, input }) => deleteAlertRule({ db, ctx, id: input.id }),
);

/** "Resume" on a paused workflow's banner: clears the flag, and its held runs start. */
export const resumeWorkflowAction = defineServerAction(
  { permission: 'workflow.write', input: z.object({ key: ZWorkflowKey }), revalidate: [...revalidate, '/workflows'] },
  async ({ db, ctx, input }) => ({
    paused: (await updateWorkflow({ db, ctx, input: { key: input.key, paused: false } })).paused,
  }),
);
