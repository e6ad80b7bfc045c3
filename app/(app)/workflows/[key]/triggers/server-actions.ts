'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { createTrigger, ZCreateTrigger } from '@/server/triggers/create-trigger';
import { deleteTrigger, ZDeleteTrigger } from '@/server/triggers/delete-trigger';
import { setTriggerEnabled, ZSetTriggerEnabled } from '@/server/triggers/set-trigger-enabled';

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
