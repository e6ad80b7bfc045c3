import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import type { TStepInput } from '@/model/definition/step';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { collectUsedTypes } from '@/server/workflows/collect-used-types';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { createWorkflowResolver } from '@/server/workflows/create-workflow-resolver';
import { diffVersions } from '@/server/workflows/diff-versions';
import { exportVersion } from '@/server/workflows/export-version';
import { getVersion } from '@/server/workflows/get-version';
import { getWorkflow } from '@/server/workflows/get-workflow';
import { importWorkflow } from '@/server/workflows/import-workflow';
import { listVersions } from '@/server/workflows/list-versions';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { updateWorkflow } from '@/server/workflows/update-workflow';

let t: TTestDatabase;
let editor: TAuthContext;
let viewer: TAuthContext;
let other: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('workflow_versions');
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: editor, role: 'viewer' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => t.close());

const echo = (id: string, input: Record<string, unknown> = {}): TStepInput => ({
  id,
  type: 'action.call',
  config: { action: 'core.echo', version: 1, input },
});
const doc = (key: string, steps: TStepInput[] = [], extra: Record<string, unknown> = {}) => ({
  key,
  name: `Workflow ${key}`,
  steps,
  ...extra,
});

async function newWorkflow(key: string, ctx = editor) {
  await createWorkflow({ db: t.db, ctx, input: { key, name: `Workflow ${key}` } });
}

describe('saveDraft', () => {
  it('numbers versions 1, 2, 3: a save after a publish starts a new draft; a save on a draft replaces it', async () => {
    await newWorkflow('numbering');
    expect(
      await saveDraft({ db: t.db, ctx: editor, input: { key: 'numbering', document: doc('numbering') } }),
    ).toMatchObject({ version: 1, revision: 1 });
    expect(
      await saveDraft({ db: t.db, ctx: editor, input: { key: 'numbering', document: doc('numbering', [echo('a')]) } }),
    ).toMatchObject({ version: 1, revision: 2 });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'numbering', version: 1 } });
    expect(
      await saveDraft({ db: t.db, ctx: editor, input: { key: 'numbering', document: doc('numbering', [echo('b')]) } }),
    ).toMatchObject({ version: 2, revision: 1 });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'numbering', version: 2 } });
    expect(
      await saveDraft({ db: t.db, ctx: editor, input: { key: 'numbering', document: doc('numbering') } }),
    ).toMatchObject({ version: 3, revision: 1 });
    const { items } = await listVersions({ db: t.db, ctx: viewer, input: { key: 'numbering' } });
    expect(items.map((v) => [v.version, v.status])).toEqual([
      [3, 'draft'],
      [2, 'published'],
      [1, 'published'],
    ]);
    expect(items[1]).toMatchObject({
      nodeTypes: ['action.call'],
      actions: ['core.echo', 'core.echo@1'],
      publishedBy: expect.stringContaining('editor'),
    });
  });

  it('refuses a stale revision with CONFLICT and keeps the newer save', async () => {
    await newWorkflow('autosave');
    const first = await saveDraft({ db: t.db, ctx: editor, input: { key: 'autosave', document: doc('autosave') } });
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'autosave', document: doc('autosave', [echo('mine')]), expectedRevision: first.revision },
    });
    await expect(
      saveDraft({
        db: t.db,
        ctx: editor,
        input: { key: 'autosave', document: doc('autosave', [echo('theirs')]), expectedRevision: first.revision },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('changed since you loaded it') });
    expect(
      (await getVersion({ db: t.db, ctx: editor, input: { key: 'autosave', version: 1 } })).document.steps.map(
        (s) => s.id,
      ),
    ).toEqual(['mine']);
    // The draft was published meanwhile: the edit was made to something that no longer is a draft.
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'autosave', version: 1 } });
    await expect(
      saveDraft({ db: t.db, ctx: editor, input: { key: 'autosave', document: doc('autosave'), expectedRevision: 2 } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it("refuses a write to a published version with CONFLICT, and a key that is not the workflow's with VALIDATION", async () => {
    await newWorkflow('frozen');
    await saveDraft({ db: t.db, ctx: editor, input: { key: 'frozen', document: doc('frozen', [echo('a')]) } });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'frozen', version: 1 } });
    await expect(
      saveDraft({ db: t.db, ctx: editor, input: { key: 'frozen', document: { ...doc('frozen'), version: 1 } } }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('published') });
    await expect(
      saveDraft({ db: t.db, ctx: editor, input: { key: 'frozen', document: doc('other-key') } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: [{ path: 'key' }] });
    // Not even SQL can change it: the trigger refuses.
    await expect(
      t.db.updateTable('workflow_versions').set({ revision: 99 }).where('status', '=', 'published').execute(),
    ).rejects.toThrow(/published and cannot change/);
    expect(
      (await getVersion({ db: t.db, ctx: editor, input: { key: 'frozen', version: 1 } })).document.steps.map(
        (s) => s.id,
      ),
    ).toEqual(['a']);
  });

  it('keeps one draft when two first saves race: the second replaces the first', async () => {
    await newWorkflow('racing');
    const saves = await Promise.all(
      [0, 1, 2].map((i) =>
        saveDraft({ db: t.db, ctx: editor, input: { key: 'racing', document: doc('racing', [echo(`s${i}`)]) } }),
      ),
    );
    expect(saves.map((s) => s.version)).toEqual([1, 1, 1]);
    expect(saves.map((s) => s.revision).sort()).toEqual([1, 2, 3]);
    expect((await listVersions({ db: t.db, ctx: editor, input: { key: 'racing' } })).items).toHaveLength(1);
  });

  it('a first save that names the version it started from (expectedLatestVersion) never writes over a draft begun meanwhile', async () => {
    await newWorkflow('first-save');
    // Two pages opened on a workflow with no version: the first save wins, the second is refused.
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'first-save', document: doc('first-save', [echo('theirs')]), expectedLatestVersion: 0 },
    });
    await expect(
      saveDraft({
        db: t.db,
        ctx: editor,
        input: { key: 'first-save', document: doc('first-save', [echo('mine')]), expectedLatestVersion: 0 },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('changed since you loaded it') });
    expect(
      (await getVersion({ db: t.db, ctx: editor, input: { key: 'first-save', version: 1 } })).document.steps.map(
        (s) => s.id,
      ),
    ).toEqual(['theirs']);

    // Loaded at published v1: a new draft v2 from elsewhere, or a v2 already published, refuses the save.
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'first-save', version: 1 } });
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'first-save', document: doc('first-save', [echo('v2')]), expectedLatestVersion: 1 },
    });
    await expect(
      saveDraft({
        db: t.db,
        ctx: editor,
        input: { key: 'first-save', document: doc('first-save', [echo('late')]), expectedLatestVersion: 1 },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'first-save', version: 2 } });
    await expect(
      saveDraft({
        db: t.db,
        ctx: editor,
        input: { key: 'first-save', document: doc('first-save', [echo('late')]), expectedLatestVersion: 1 },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // Loaded at the newest published version, with no draft: the save starts v3.
    expect(
      await saveDraft({
        db: t.db,
        ctx: editor,
        input: { key: 'first-save', document: doc('first-save', [echo('v3')]), expectedLatestVersion: 2 },
      }),
    ).toMatchObject({ version: 3, revision: 1 });
  });

  it('pages versions and refuses a cursor it did not issue', async () => {
    const first = await listVersions({ db: t.db, ctx: editor, input: { key: 'numbering', limit: 2 } });
    expect(first.items.map((v) => v.version)).toEqual([3, 2]);
    expect(
      await listVersions({ db: t.db, ctx: editor, input: { key: 'numbering', limit: 2, cursor: first.nextCursor! } }),
    ).toMatchObject({ items: [{ version: 1 }], nextCursor: null });
    await expect(
      listVersions({
        db: t.db,
        ctx: editor,
        input: { key: 'numbering', cursor: Buffer.from('abc').toString('base64url') },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it("refuses a viewer, and another tenant's key is NOT_FOUND", async () => {
    await newWorkflow('private', other);
    await expect(
      saveDraft({ db: t.db, ctx: viewer, input: { key: 'numbering', document: doc('numbering') } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      saveDraft({ db: t.db, ctx: editor, input: { key: 'private', document: doc('private') } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getVersion({ db: t.db, ctx: editor, input: { key: 'numbering', version: 42 } })).rejects.toMatchObject(
      { code: 'NOT_FOUND' },
    );
  });
});

describe('publishVersion', () => {
  it('publishes a valid draft, audited, and answers CONFLICT when it is published again', async () => {
    await newWorkflow('publish-me');
    await saveDraft({ db: t.db, ctx: editor, input: { key: 'publish-me', document: doc('publish-me', [echo('a')]) } });
    await expect(
      publishVersion({ db: t.db, ctx: viewer, input: { key: 'publish-me', version: 1 } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const published = await publishVersion({ db: t.db, ctx: editor, input: { key: 'publish-me', version: 1 } });
    expect(published).toMatchObject({ version: 1, publishedAt: expect.any(String), warnings: expect.any(Array) });
    expect(
      (await getVersion({ db: t.db, ctx: editor, input: { key: 'publish-me', version: 1 } })).document,
    ).toMatchObject({ version: 1, status: 'published' });
    await expect(
      publishVersion({ db: t.db, ctx: editor, input: { key: 'publish-me', version: 1 } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('tenant_id', '=', editor.tenantId)
      .where('target_id', '=', 'publish-me')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'workflow.created',
      'workflow.draft_created',
      'workflow.version_published',
    ]);
    expect(audit[2]!.data).toEqual({ version: 1 });
    expect(await getWorkflow({ db: t.db, ctx: editor, input: { key: 'publish-me' } })).toMatchObject({
      latestVersion: 1,
      draftVersion: null,
    });
  });

  it('refuses an invalid draft with VALIDATION listing {stepId, path, message}, leaving it a draft', async () => {
    await newWorkflow('broken');
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'broken', document: doc('broken', [{ id: 'call', type: 'action.call', config: {} }]) },
    });
    const error = await publishVersion({ db: t.db, ctx: editor, input: { key: 'broken', version: 1 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'VALIDATION' });
    const details = (error as { details: unknown[] }).details;
    expect(details.length).toBeGreaterThan(0);
    for (const detail of details)
      expect(detail).toEqual({ stepId: expect.anything(), path: expect.any(String), message: expect.any(String) });
    expect(details).toContainEqual(
      expect.objectContaining({ stepId: 'call', path: expect.stringContaining('steps[0]') }),
    );
    expect((await listVersions({ db: t.db, ctx: editor, input: { key: 'broken' } })).items[0]!.status).toBe('draft');
  });

  it('resolves callWorkflow targets from the database, only within the tenant', async () => {
    await newWorkflow('callee');
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: {
        key: 'callee',
        document: doc('callee', [
          { id: 'child', type: 'control.callWorkflow', config: { workflow: 'numbering', version: 2, input: {} } },
        ]),
      },
    });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'callee', version: 1 } });
    const resolver = createWorkflowResolver({ db: t.db, tenantId: editor.tenantId });
    expect(await resolver.publishedVersions('numbering')).toEqual([1, 2]);
    expect(await resolver.publishedVersions('private')).toBeNull();
    expect(await resolver.publishedVersions('nope')).toBeNull();
    expect(await resolver.calleesOf('callee', 1)).toEqual([{ workflow: 'numbering', version: 2 }]);
    expect(await resolver.calleesOf('callee', 9)).toEqual([]);
  });
});

describe('collectUsedTypes', () => {
  it('walks nested pipes (then, cases[i].steps, branches[i].steps) but not action inputs', () => {
    const used = collectUsedTypes([
      {
        id: 'if',
        type: 'control.if',
        config: { condition: true, then: [{ id: 'ask', type: 'human.task', config: {} }] },
        onError: 'fail',
        disabled: false,
      },
      {
        id: 'sw',
        type: 'control.switch',
        config: { value: 1, cases: [{ when: 1, steps: [{ id: 'd', type: 'time.delay', config: {} }] }] },
        onError: 'fail',
        disabled: false,
      },
      {
        id: 'par',
        type: 'control.parallel',
        config: {
          branches: [
            { id: 'b', steps: [{ id: 'h', type: 'action.call', config: { action: 'http.request', version: 1 } }] },
          ],
        },
        onError: 'fail',
        disabled: false,
      },
      {
        id: 'e',
        type: 'action.call',
        config: { action: 'core.echo', version: 1, input: { list: [{ id: 'x', type: 'not.a.step' }] } },
        onError: 'fail',
        disabled: false,
      },
    ]);
    expect(used.nodeTypes).toEqual([
      'action.call',
      'control.if',
      'control.parallel',
      'control.switch',
      'human.task',
      'time.delay',
    ]);
    expect(used.actions).toEqual(['core.echo', 'core.echo@1', 'http.request', 'http.request@1']);
  });
});

describe('diffVersions', () => {
  it('reports steps added, removed, moved and changed by id, and workflow-level changes', async () => {
    await newWorkflow('diffed');
    const ifStep = (then: TStepInput[]): TStepInput => ({
      id: 'check',
      type: 'control.if',
      config: { condition: true, then },
    });
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: {
        key: 'diffed',
        document: doc('diffed', [echo('a', { n: 1 }), echo('b'), ifStep([echo('inner')]), echo('gone')], {
          env: { vars: { URL: 'x' } },
        }),
      },
    });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'diffed', version: 1 } });
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: {
        key: 'diffed',
        document: doc('diffed', [echo('b'), echo('a', { n: 2 }), ifStep([echo('inner'), echo('new')])], {
          env: { vars: { URL: 'y' } },
          settings: { retentionDays: 7 },
        }),
      },
    });
    const diff = await diffVersions({ db: t.db, ctx: viewer, input: { key: 'diffed', version: 2, against: 1 } });
    expect(diff).toMatchObject({ key: 'diffed', from: 1, to: 2 });
    expect(diff.steps.added).toEqual([{ stepId: 'new', type: 'action.call', path: 'steps[2].config.then[1]' }]);
    expect(diff.steps.removed).toEqual([{ stepId: 'gone', type: 'action.call', path: 'steps[3]' }]);
    expect(diff.steps.moved.map((m) => m.stepId).sort()).toEqual(['a', 'b']);
    expect(diff.steps.changed).toEqual([{ stepId: 'a', path: 'steps[1]', changes: ['config.input.n'] }]);
    expect(diff.workflow).toEqual([
      { field: 'env', paths: ['env.vars.URL'] },
      { field: 'settings', paths: ['settings.retentionDays'] },
    ]);
    await expect(
      diffVersions({ db: t.db, ctx: editor, input: { key: 'diffed', version: 2, against: 7 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('export and import', () => {
  it('round-trips: an exported version imported into another tenant becomes its draft v1 with the same definition', async () => {
    await updateWorkflow({ db: t.db, ctx: editor, input: { key: 'diffed', tags: ['finance', 'eu'] } });
    const exported = await exportVersion({ db: t.db, ctx: editor, input: { key: 'diffed', version: 1 } });
    expect(exported.filename).toBe('diffed-v1.json');
    expect(exported.document.tags).toEqual(['finance', 'eu']);
    const imported = await importWorkflow({ db: t.db, ctx: other, input: { document: JSON.parse(exported.json) } });
    expect(imported).toMatchObject({ key: 'diffed', version: 1, revision: 1, createdWorkflow: true, problems: [] });
    const back = await getVersion({ db: t.db, ctx: other, input: { key: 'diffed', version: 1 } });
    const { tags: _tags, ...definition } = exported.document;
    expect(back.document).toEqual({ ...definition, status: 'draft' });
    expect(await getWorkflow({ db: t.db, ctx: other, input: { key: 'diffed' } })).toMatchObject({
      name: 'Workflow diffed',
      tags: ['finance', 'eu'],
      draftVersion: 1,
    });
    // The imported draft exports as a draft, tags and all.
    const draft = await exportVersion({ db: t.db, ctx: other, input: { key: 'diffed', version: 1 } });
    expect(draft.filename).toBe('diffed-v1-draft.json');
    expect(draft.document).toMatchObject({ status: 'draft', tags: ['finance', 'eu'] });
    // Importing over an existing workflow replaces its tags when the file names them, and keeps them when it does not.
    await importWorkflow({ db: t.db, ctx: other, input: { document: { ...definition, tags: ['ops'] } } });
    expect(await getWorkflow({ db: t.db, ctx: other, input: { key: 'diffed' } })).toMatchObject({ tags: ['ops'] });
    await importWorkflow({ db: t.db, ctx: other, input: { document: definition } });
    expect(await getWorkflow({ db: t.db, ctx: other, input: { key: 'diffed' } })).toMatchObject({ tags: ['ops'] });
    await expect(
      importWorkflow({ db: t.db, ctx: other, input: { document: { ...definition, tags: [''] } } }),
    ).rejects.toMatchObject({ name: 'ZodError' });
  });

  it('replaces the draft of an existing workflow and saves an incomplete draft, returning its problems', async () => {
    const imported = await importWorkflow({
      db: t.db,
      ctx: editor,
      input: { document: doc('diffed', [{ id: 'call', type: 'action.call', config: {} }]) },
    });
    expect(imported).toMatchObject({ key: 'diffed', version: 2, createdWorkflow: false });
    expect(imported.problems.some((p) => p.severity === 'error' && p.stepId === 'call')).toBe(true);
    expect(
      (await getVersion({ db: t.db, ctx: editor, input: { key: 'diffed', version: 2 } })).document.steps.map(
        (s) => s.id,
      ),
    ).toEqual(['call']);
    await expect(
      importWorkflow({ db: t.db, ctx: viewer, input: { document: doc('by-viewer') } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(importWorkflow({ db: t.db, ctx: editor, input: { document: doc('import') } })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: [{ path: 'key' }],
    });
  });
});
