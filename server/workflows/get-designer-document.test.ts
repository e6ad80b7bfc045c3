import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import type { TStepInput } from '@/model/definition/step';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { getDesignerDocument } from '@/server/workflows/get-designer-document';
import { getVersion } from '@/server/workflows/get-version';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { updateWorkflow } from '@/server/workflows/update-workflow';

let t: TTestDatabase;
let editor: TAuthContext;
let viewer: TAuthContext;
let other: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('designer_document');
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: editor, role: 'viewer' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => t.close());

const echo = (id: string): TStepInput => ({ id, type: 'action.call', config: { action: 'core.echo', version: 1 } });
const doc = (key: string, steps: TStepInput[]) => ({ key, name: `Workflow ${key}`, steps });

describe('getDesignerDocument', () => {
  it('answers the workflow alone before its first save', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'fresh', name: 'Fresh one', description: 'new' } });
    expect(await getDesignerDocument({ db: t.db, ctx: viewer, input: { key: 'fresh' } })).toEqual({
      workflow: { name: 'Fresh one', description: 'new', paused: false },
      newest: null,
    });
  });

  it('answers the newest version, draft or published, as getVersion reads it', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'newest', name: 'Newest' } });
    await saveDraft({ db: t.db, ctx: editor, input: { key: 'newest', document: doc('newest', [echo('a')]) } });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'newest', version: 1 } });
    const published = await getDesignerDocument({ db: t.db, ctx: viewer, input: { key: 'newest' } });
    expect(published.newest).toEqual(await getVersion({ db: t.db, ctx: viewer, input: { key: 'newest', version: 1 } }));
    expect(published.newest?.summary).toMatchObject({ version: 1, status: 'published' });

    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'newest', document: doc('newest', [echo('a'), echo('b')]) },
    });
    await saveDraft({ db: t.db, ctx: editor, input: { key: 'newest', document: doc('newest', [echo('b')]) } });
    const draft = await getDesignerDocument({ db: t.db, ctx: viewer, input: { key: 'newest' } });
    expect(draft.newest).toEqual(await getVersion({ db: t.db, ctx: viewer, input: { key: 'newest', version: 2 } }));
    expect(draft.newest?.summary).toMatchObject({ version: 2, status: 'draft', revision: 2 });
    expect(draft.newest?.document.steps.map((step) => step.id)).toEqual(['b']);
  });

  it('says whether the workflow is paused', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'held', name: 'Held' } });
    await updateWorkflow({ db: t.db, ctx: editor, input: { key: 'held', paused: true } });
    expect((await getDesignerDocument({ db: t.db, ctx: viewer, input: { key: 'held' } })).workflow.paused).toBe(true);
  });

  it("does not find another tenant's workflow, and refuses a key that is not one", async () => {
    await expect(getDesignerDocument({ db: t.db, ctx: other, input: { key: 'newest' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(getDesignerDocument({ db: t.db, ctx: viewer, input: { key: 'Not A Key!' } })).rejects.toThrow();
  });
});
