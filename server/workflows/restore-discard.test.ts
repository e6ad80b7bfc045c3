import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import type { TStepInput } from '@/model/definition/step';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { discardDraft } from '@/server/workflows/discard-draft';
import { getVersion } from '@/server/workflows/get-version';
import { getWorkflow } from '@/server/workflows/get-workflow';
import { publishVersion } from '@/server/workflows/publish-version';
import { restoreVersion } from '@/server/workflows/restore-version';
import { saveDraft } from '@/server/workflows/save-draft';

let t: TTestDatabase;
let editor: TAuthContext;
let viewer: TAuthContext;
let other: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('restore_discard');
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: editor, role: 'viewer' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => t.close());

const echo = (id: string): TStepInput => ({ id, type: 'action.call', config: { action: 'core.echo', version: 1 } });
const doc = (key: string, steps: TStepInput[]) => ({ key, name: `Workflow ${key}`, steps });

/** A workflow with v1 (step a) and v2 (step b) published, and a draft v3 (step c) saved twice. */
async function withHistory(key: string) {
  await createWorkflow({ db: t.db, ctx: editor, input: { key, name: `Workflow ${key}` } });
  for (const [version, id] of [
    [1, 'a'],
    [2, 'b'],
  ] as const) {
    await saveDraft({ db: t.db, ctx: editor, input: { key, document: doc(key, [echo(id)]) } });
    await publishVersion({ db: t.db, ctx: editor, input: { key, version } });
  }
  await saveDraft({ db: t.db, ctx: editor, input: { key, document: doc(key, [echo('c')]) } });
  return saveDraft({ db: t.db, ctx: editor, input: { key, document: doc(key, [echo('c'), echo('d')]) } });
}

const auditOf = (key: string, action: string) =>
  t.db
    .selectFrom('audit_log')
    .select(['data', 'actor_label'])
    .where('tenant_id', '=', editor.tenantId)
    .where('target_id', '=', key)
    .where('action', '=', action)
    .execute();

describe('restoreVersion', () => {
  it('makes a published version the draft, replacing the open one, and records it', async () => {
    const draft = await withHistory('restoring');
    expect(draft).toMatchObject({ version: 3, revision: 2 });
    const saved = await restoreVersion({
      db: t.db,
      ctx: editor,
      input: { key: 'restoring', version: 1, expectedRevision: 2 },
    });
    expect(saved).toMatchObject({ version: 3, revision: 3 });
    const back = await getVersion({ db: t.db, ctx: viewer, input: { key: 'restoring', version: 3 } });
    expect(back.document.steps.map((step) => step.id)).toEqual(['a']);
    expect(back.document.status).toBe('draft');
    // The published versions did not change.
    const v1 = await getVersion({ db: t.db, ctx: viewer, input: { key: 'restoring', version: 1 } });
    expect(v1.document).toMatchObject({ status: 'published', steps: [{ id: 'a' }] });
    expect(await auditOf('restoring', 'workflow.version_restored')).toEqual([
      expect.objectContaining({ data: { restored: 1, draft: 3, revision: 3 } }),
    ]);
  });

  it('starts a new draft when there is none', async () => {
    await withHistory('fresh');
    await discardDraft({ db: t.db, ctx: editor, input: { key: 'fresh', expectedRevision: 2 } });
    expect(await restoreVersion({ db: t.db, ctx: editor, input: { key: 'fresh', version: 2 } })).toMatchObject({
      version: 3,
      revision: 1,
    });
  });

  it('refuses a stale draft revision, the draft itself, a viewer, another tenant and a missing version', async () => {
    await withHistory('refusing');
    await expect(
      restoreVersion({ db: t.db, ctx: editor, input: { key: 'refusing', version: 1, expectedRevision: 1 } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      restoreVersion({ db: t.db, ctx: editor, input: { key: 'refusing', version: 3 } }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('only a published version') });
    await expect(
      restoreVersion({ db: t.db, ctx: viewer, input: { key: 'refusing', version: 1 } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      restoreVersion({ db: t.db, ctx: other, input: { key: 'refusing', version: 1 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      restoreVersion({ db: t.db, ctx: editor, input: { key: 'refusing', version: 9 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Nothing changed: the draft still has its own steps and revision.
    const draft = await getVersion({ db: t.db, ctx: viewer, input: { key: 'refusing', version: 3 } });
    expect([draft.summary.revision, draft.document.steps.map((step) => step.id)]).toEqual([2, ['c', 'd']]);
  });
});

describe('discardDraft', () => {
  it('deletes the draft so the latest published version is what opens, and records it', async () => {
    await withHistory('discarding');
    expect(await discardDraft({ db: t.db, ctx: editor, input: { key: 'discarding', expectedRevision: 2 } })).toEqual({
      version: 3,
    });
    expect(await getWorkflow({ db: t.db, ctx: viewer, input: { key: 'discarding' } })).toMatchObject({
      latestVersion: 2,
      draftVersion: null,
    });
    expect(await auditOf('discarding', 'workflow.draft_discarded')).toEqual([
      expect.objectContaining({ data: { version: 3, revision: 2 } }),
    ]);
    // The next save starts draft v3 again.
    expect(
      await saveDraft({ db: t.db, ctx: editor, input: { key: 'discarding', document: doc('discarding', []) } }),
    ).toMatchObject({ version: 3, revision: 1 });
  });

  it('refuses a stale revision, no draft, a viewer and another tenant, keeping the draft', async () => {
    await withHistory('keeping');
    await expect(
      discardDraft({ db: t.db, ctx: editor, input: { key: 'keeping', expectedRevision: 1 } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      discardDraft({ db: t.db, ctx: viewer, input: { key: 'keeping', expectedRevision: 2 } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      discardDraft({ db: t.db, ctx: other, input: { key: 'keeping', expectedRevision: 2 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      discardDraft({ db: t.db, ctx: editor, input: { key: 'keeping', expectedRevision: 0 } }),
    ).rejects.toMatchObject({ name: 'ZodError' });
    expect(await getWorkflow({ db: t.db, ctx: viewer, input: { key: 'keeping' } })).toMatchObject({ draftVersion: 3 });
    await discardDraft({ db: t.db, ctx: editor, input: { key: 'keeping', expectedRevision: 2 } });
    await expect(
      discardDraft({ db: t.db, ctx: editor, input: { key: 'keeping', expectedRevision: 2 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no draft') });
  });
});
