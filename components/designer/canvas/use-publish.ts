'use client';

import { useState } from 'react';
import { checkDefinitionAction, publishVersionAction } from '@/app/(app)/workflows/server-actions';
import type { useDraftAutosave } from '@/components/designer/canvas/use-draft-autosave';
import type { TDesignerNotice } from '@/components/designer/canvas/use-step-commands';
import type { TProblem } from '@/model/definition/problem';
import type { TVersionDocumentInput } from '@/model/definition/version-document';

/**
 * Publish: saves the draft first, checks it (every problem listed, nothing published while one
 * is an error), then publishes the saved draft version.
 */
export function usePublish({
  document,
  autosave,
  setProblems,
  setShowProblems,
  setNotice,
}: {
  document: TVersionDocumentInput;
  autosave: ReturnType<typeof useDraftAutosave>;
  setProblems: (checkedDocument: TVersionDocumentInput, problems: TProblem[]) => void;
  setShowProblems: (show: boolean) => void;
  setNotice: (notice: TDesignerNotice | null) => void;
}) {
  const [publishing, setPublishing] = useState(false);

  const publish = async () => {
    setNotice(null);
    setPublishing(true);
    try {
      if (!(await autosave.flush({ draftRequired: true })))
        return setNotice({ tone: 'danger', text: 'The draft is not saved, so it cannot be published yet.' });
      const checked = await checkDefinitionAction({ document });
      if (!checked.ok) return setNotice({ tone: 'danger', text: checked.error.message });
      setProblems(document, checked.data.problems);
      const errors = checked.data.problems.filter((problem) => problem.severity === 'error').length;
      if (errors > 0) {
        setShowProblems(true);
        return setNotice({
          tone: 'danger',
          text: `Not published: ${errors} problem${errors === 1 ? '' : 's'} to fix first.`,
        });
      }
      const base = autosave.currentBase();
      const version = base.version;
      if (version === null || base.status !== 'draft')
        return setNotice({
          tone: 'danger',
          text: `Version ${version ?? ''} is already published; edit the workflow to start a new draft.`,
        });
      const published = await publishVersionAction({ key: document.key, version });
      if (!published.ok) return setNotice({ tone: 'danger', text: published.error.message });
      autosave.markPublished(version);
      setShowProblems(false);
      setNotice({ tone: 'success', text: `Published version ${version}. Further edits start a new draft.` });
    } catch (error: unknown) {
      console.error('[designer] publish failed:', error);
      setNotice({ tone: 'danger', text: 'Could not reach the server to publish. Try again.' });
    } finally {
      setPublishing(false);
    }
  };

  return { publish, publishing };
}
