'use server';

import { z } from 'zod';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { createTrigger, ZCreateTrigger } from '@/server/triggers/create-trigger';
import { deleteTrigger, ZDeleteTrigger } from '@/server/triggers/delete-trigger';
import { fireTriggerNow, ZFireTriggerNow } from '@/server/triggers/fire-trigger-now';
import { previewSchedule, ZPreviewSchedule } from '@/server/triggers/preview-schedule';
import { setTriggerEnabled, ZSetTriggerEnabled } from '@/server/triggers/set-trigger-enabled';
import { updateTrigger, ZUpdateTrigger } from '@/server/triggers/update-trigger';
import { readWebhookListen, startWebhookListen } from '@/server/triggers/webhook-listen';

// Every page under /workflows shows trigger state (the tabs, the list's stats), so refresh them all.
const revalidate = ['/workflows'];

/** The "New trigger" dialog: the same server function POST /workflows/{key}/triggers calls. */
export const createTriggerAction = defineServerAction(
  { permission: 'workflow.write', input: ZCreateTrigger, revalidate },
  ({ db, ctx, input }) => createTrigger({ db, ctx, input }),
);

export const setTriggerEnabledAction = defineServerAction(
  { permission: 'workflow.write', input: ZSetTriggerEnabled, revalidate },
  ({ db, ctx, input }) => setTriggerEnabled({ db, ctx, input }),
);

export const deleteTriggerAction = defineServerAction(
  { permission: 'workflow.write', input: ZDeleteTrigger, revalidate },
  async ({ db, ctx, input }) => {
    await deleteTrigger({ db, ctx, input });
    return { id: input.id };
  },
);

/** The "Edit trigger" dialog: the same server function PATCH /triggers/{id} calls. */
export const updateTriggerAction = defineServerAction(
  { permission: 'workflow.write', input: ZUpdateTrigger, revalidate },
  ({ db, ctx, input }) => updateTrigger({ db, ctx, input }),
);

export const fireTriggerNowAction = defineServerAction(
  { permission: 'run.start', input: ZFireTriggerNow, revalidate },
  ({ db, ctx, input }) => fireTriggerNow({ db, ctx, input }),
);

/** The next fire times while a schedule is typed (no database: the same checks a save makes). */
export const previewScheduleAction = defineServerAction(
  { permission: 'workflow.read', input: ZPreviewSchedule },
  async ({ input }) => previewSchedule(input),
);

const ZListenInput = z.object({ id: z.string() });

export const startWebhookListenAction = defineServerAction(
  { permission: 'workflow.write', input: ZListenInput },
  ({ db, ctx, input }) => startWebhookListen({ db, ctx, id: input.id }),
);

export const readWebhookListenAction = defineServerAction(
  { permission: 'workflow.write', input: ZListenInput },
  ({ db, ctx, input }) => readWebhookListen({ db, ctx, id: input.id }),
);
