'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { discardDraft, ZDiscardDraft } from '@/server/workflows/discard-draft';
import { restoreVersion, ZRestoreVersion } from '@/server/workflows/restore-version';

const revalidate = ['/workflows'];

/** Version history: a published version's document becomes the draft (replacing an open one). */
export const restoreVersionAction = defineServerAction(
  { permission: 'workflow.write', input: ZRestoreVersion, revalidate },
  ({ db, ctx, input }) => restoreVersion({ db, ctx, input }),
);
/** Version history: the draft is deleted, so the designer opens the latest published version again. */
export const discardDraftAction = defineServerAction(
  { permission: 'workflow.write', input: ZDiscardDraft, revalidate },
  ({ db, ctx, input }) => discardDraft({ db, ctx, input }),
);
