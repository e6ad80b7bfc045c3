'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { createWorkflow, ZCreateWorkflow } from '@/server/workflows/create-workflow';
import { checkDefinition, ZCheckDefinition } from '@/server/workflows/check-definition';
import { deleteWorkflow, ZDeleteWorkflow } from '@/server/workflows/delete-workflow';
import { duplicateWorkflow, ZDuplicateWorkflow } from '@/server/workflows/duplicate-workflow';
import { diffVersions, ZDiffVersions } from '@/server/workflows/diff-versions';
import { exportVersion, ZExportVersion } from '@/server/workflows/export-version';
import { getVersion, ZGetVersion } from '@/server/workflows/get-version';
import { getWorkflow, ZGetWorkflow } from '@/server/workflows/get-workflow';
import { importWorkflow, ZImportWorkflow } from '@/server/workflows/import-workflow';
import { listVersions, ZListVersions } from '@/server/workflows/list-versions';
import { listWorkflows, ZListWorkflows } from '@/server/workflows/list-workflows';
import { publishVersion, ZPublishVersion } from '@/server/workflows/publish-version';
import { saveDraft, ZSaveDraft } from '@/server/workflows/save-draft';
import { updateWorkflow, ZUpdateWorkflow } from '@/server/workflows/update-workflow';
import { importTemplate, ZImportTemplate } from '@/server/templates/import-template';

const revalidate = ['/workflows'];

export const listWorkflowsAction = defineServerAction(
  { permission: 'workflow.read', input: ZListWorkflows },
  ({ db, ctx, input }) => listWorkflows({ db, ctx, input }),
);
export const getWorkflowAction = defineServerAction(
  { permission: 'workflow.read', input: ZGetWorkflow },
  ({ db, ctx, input }) => getWorkflow({ db, ctx, input }),
);
export const createWorkflowAction = defineServerAction(
  { permission: 'workflow.write', input: ZCreateWorkflow, revalidate },
  ({ db, ctx, input }) => createWorkflow({ db, ctx, input }),
);
export const updateWorkflowAction = defineServerAction(
  { permission: 'workflow.write', input: ZUpdateWorkflow, revalidate },
  ({ db, ctx, input }) => updateWorkflow({ db, ctx, input }),
);
export const duplicateWorkflowAction = defineServerAction(
  { permission: 'workflow.write', input: ZDuplicateWorkflow, revalidate },
  ({ db, ctx, input }) => duplicateWorkflow({ db, ctx, input }),
);
/** Validation without saving: every problem publishing would report, for the designer to show as people edit. */
export const checkDefinitionAction = defineServerAction(
  { permission: 'workflow.read', input: ZCheckDefinition },
  ({ db, ctx, input }) => checkDefinition({ db, ctx, input }),
);
export const deleteWorkflowAction = defineServerAction(
  { permission: 'workflow.write', input: ZDeleteWorkflow, revalidate },
  ({ db, ctx, input }) => deleteWorkflow({ db, ctx, input }),
);

export const listVersionsAction = defineServerAction(
  { permission: 'workflow.read', input: ZListVersions },
  ({ db, ctx, input }) => listVersions({ db, ctx, input }),
);
/** The document plus its summary: the designer keeps `summary.revision` to send as `expectedRevision` on autosave. */
export const getVersionAction = defineServerAction(
  { permission: 'workflow.read', input: ZGetVersion },
  ({ db, ctx, input }) => getVersion({ db, ctx, input }),
);
/** Autosave: no revalidation, the designer holds the state and a list refresh per keystroke would be waste. */
export const saveDraftAction = defineServerAction(
  { permission: 'workflow.write', input: ZSaveDraft },
  ({ db, ctx, input }) => saveDraft({ db, ctx, input }),
);
export const publishVersionAction = defineServerAction(
  { permission: 'workflow.write', input: ZPublishVersion, revalidate },
  ({ db, ctx, input }) => publishVersion({ db, ctx, input }),
);
export const diffVersionsAction = defineServerAction(
  { permission: 'workflow.read', input: ZDiffVersions },
  ({ db, ctx, input }) => diffVersions({ db, ctx, input }),
);
export const exportVersionAction = defineServerAction(
  { permission: 'workflow.read', input: ZExportVersion },
  async ({ db, ctx, input }) => {
    const { filename, json } = await exportVersion({ db, ctx, input });
    return { filename, json };
  },
);
export const importWorkflowAction = defineServerAction(
  { permission: 'workflow.write', input: ZImportWorkflow, revalidate },
  ({ db, ctx, input }) => importWorkflow({ db, ctx, input }),
);

/** The templates gallery: imports one as a new workflow (a suffixed key when the template's is taken). */
export const importTemplateAction = defineServerAction(
  { permission: 'workflow.write', input: ZImportTemplate, revalidate },
  ({ db, ctx, input }) => importTemplate({ db, ctx, input }),
);
