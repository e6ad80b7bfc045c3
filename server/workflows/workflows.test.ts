import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { deleteWorkflow } from '@/server/workflows/delete-workflow';
import { getWorkflow } from '@/server/workflows/get-workflow';
import { listWorkflows } from '@/server/workflows/list-workflows';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { updateWorkflow } from '@/server/workflows/update-workflow';

let t: TTestDatabase;
let editor: TAuthContext;
let viewer: TAuthContext;
let other: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('workflows');
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: editor, role: 'viewer' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'admin' })).ctx;
});
afterAll(async () => t.close());

const auditActions = async (ctx: TAuthContext, targetId: string) =>
  (
    await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', ctx.tenantId)
      .where('target_id', '=', targetId)
      .orderBy('id')
      .execute()
  ).map((r) => r.action);

describe('createWorkflow', () => {
  it('creates an empty active workflow, audited, with no versions and zero stats', async () => {
    const record = await createWorkflow({
      db: t.db,
      ctx: editor,
      input: { key: 'invoice-approval', name: 'Invoice approval', tags: ['finance', 'finance', ' erp '] },
    });
    expect(record).toMatchObject({
      key: 'invoice-approval',
      name: 'Invoice approval',
      description: '',
      tags: ['finance', 'erp'],
      status: 'active',
      latestVersion: null,
      draftVersion: null,
      stats: { runs: 0, succeeded: 0, failed: 0, lastRunAt: null },
    });
    expect(await auditActions(editor, 'invoice-approval')).toEqual(['workflow.created']);
  });

  it('refuses a duplicate key in the same tenant with CONFLICT, but another tenant may use it', async () => {
    await expect(
      createWorkflow({ db: t.db, ctx: editor, input: { key: 'invoice-approval', name: 'Again' } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      createWorkflow({ db: t.db, ctx: other, input: { key: 'invoice-approval', name: 'Theirs' } }),
    ).resolves.toMatchObject({ name: 'Theirs' });
  });

  it('refuses a bad or reserved key and a viewer', async () => {
    await expect(createWorkflow({ db: t.db, ctx: editor, input: { key: 'Bad Key', name: 'x' } })).rejects.toMatchObject(
      { name: 'ZodError' },
    );
    await expect(createWorkflow({ db: t.db, ctx: editor, input: { key: 'import', name: 'x' } })).rejects.toMatchObject({
      name: 'ZodError',
    });
    await expect(
      createWorkflow({ db: t.db, ctx: viewer, input: { key: 'viewer-made', name: 'x' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('getWorkflow, updateWorkflow, deleteWorkflow', () => {
  it('reads a workflow with its latest and draft version numbers', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'numbers', name: 'Numbers' } });
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'numbers', document: { key: 'numbers', name: 'Numbers' } },
    });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'numbers', version: 1 } });
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'numbers', document: { key: 'numbers', name: 'Numbers' } },
    });
    expect(await getWorkflow({ db: t.db, ctx: viewer, input: { key: 'numbers' } })).toMatchObject({
      latestVersion: 1,
      draftVersion: 2,
    });
  });

  it("answers NOT_FOUND for an unknown key and for another tenant's key", async () => {
    await createWorkflow({ db: t.db, ctx: other, input: { key: 'only-theirs', name: 'Theirs' } });
    for (const key of ['nope', 'only-theirs']) {
      await expect(getWorkflow({ db: t.db, ctx: editor, input: { key } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(updateWorkflow({ db: t.db, ctx: editor, input: { key, name: 'Mine now' } })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(deleteWorkflow({ db: t.db, ctx: editor, input: { key } })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }
    expect(await getWorkflow({ db: t.db, ctx: other, input: { key: 'only-theirs' } })).toMatchObject({
      name: 'Theirs',
    });
  });

  it('updates name, description and tags; archiving and restoring are audited as such', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'to-archive', name: 'Old' } });
    const updated = await updateWorkflow({
      db: t.db,
      ctx: editor,
      input: { key: 'to-archive', name: 'New', description: 'Why', tags: ['ops'] },
    });
    expect(updated).toMatchObject({ name: 'New', description: 'Why', tags: ['ops'], status: 'active' });
    expect(
      (await updateWorkflow({ db: t.db, ctx: editor, input: { key: 'to-archive', status: 'archived' } })).status,
    ).toBe('archived');
    await updateWorkflow({ db: t.db, ctx: editor, input: { key: 'to-archive', status: 'active' } });
    expect(await auditActions(editor, 'to-archive')).toEqual([
      'workflow.created',
      'workflow.updated',
      'workflow.archived',
      'workflow.restored',
    ]);
    await expect(
      updateWorkflow({ db: t.db, ctx: viewer, input: { key: 'to-archive', name: 'Viewer' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('deletes a workflow with its versions, audited', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'doomed', name: 'Doomed' } });
    await saveDraft({ db: t.db, ctx: editor, input: { key: 'doomed', document: { key: 'doomed', name: 'Doomed' } } });
    await expect(deleteWorkflow({ db: t.db, ctx: viewer, input: { key: 'doomed' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await deleteWorkflow({ db: t.db, ctx: editor, input: { key: 'doomed' } });
    await expect(getWorkflow({ db: t.db, ctx: editor, input: { key: 'doomed' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await auditActions(editor, 'doomed')).toEqual([
      'workflow.created',
      'workflow.draft_created',
      'workflow.deleted',
    ]);
  });
});

describe('listWorkflows', () => {
  let ctx: TAuthContext;
  beforeAll(async () => {
    ctx = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
    const make = async (key: string, name: string, tags: string[], steps: unknown[] = []) => {
      await createWorkflow({ db: t.db, ctx, input: { key, name, tags } });
      if (steps.length > 0)
        await saveDraft({ db: t.db, ctx, input: { key, document: { key, name, steps: steps as never } } });
    };
    await make(
      'alpha',
      'Send 100% of invoices',
      ['finance'],
      [{ id: 'call', type: 'action.call', config: { action: 'http.request', version: 1 } }],
    );
    await make(
      'beta',
      'Onboarding',
      ['hr', 'finance'],
      [
        {
          id: 'if',
          type: 'control.if',
          config: { condition: true, then: [{ id: 'ask', type: 'human.task', config: {} }] },
        },
      ],
    );
    await make('gamma', 'Gamma_report', ['ops']);
    await make('delta', 'Delta', []);
    await updateWorkflow({ db: t.db, ctx, input: { key: 'delta', status: 'archived' } });
    // A used type only in an old published version does not count: only latest and draft do.
    await make(
      'epsilon',
      'Epsilon',
      [],
      [{ id: 'mail', type: 'action.call', config: { action: 'core.echo', version: 1, input: { hello: 'world' } } }],
    );
    await publishVersion({ db: t.db, ctx, input: { key: 'epsilon', version: 1 } });
    await saveDraft({
      db: t.db,
      ctx,
      input: {
        key: 'epsilon',
        document: {
          key: 'epsilon',
          name: 'Epsilon',
          steps: [{ id: 'wait', type: 'time.delay', config: { durationMs: 10 } }],
        },
      },
    });
    await publishVersion({ db: t.db, ctx, input: { key: 'epsilon', version: 2 } });
  });
  const keys = async (input: Parameters<typeof listWorkflows>[0]['input']) =>
    (await listWorkflows({ db: t.db, ctx, input })).items.map((w) => w.key);

  it('lists by key and filters by q (name or key, LIKE characters taken literally), tag and status', async () => {
    expect(await keys({})).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma']);
    expect(await keys({ q: 'BOARD' })).toEqual(['beta']);
    expect(await keys({ q: 'ALP' })).toEqual(['alpha']);
    expect(await keys({ q: '100%' })).toEqual(['alpha']);
    expect(await keys({ q: 'a_r' })).toEqual(['gamma']);
    expect(await keys({ tag: 'finance' })).toEqual(['alpha', 'beta']);
    expect(await keys({ status: 'archived' })).toEqual(['delta']);
    expect(await keys({ status: 'active', tag: 'ops' })).toEqual(['gamma']);
  });

  it('filters by a node type or action used by the latest version or the draft, nested pipes included', async () => {
    expect(await keys({ uses: 'human.task' })).toEqual(['beta']);
    expect(await keys({ uses: 'http.request' })).toEqual(['alpha']);
    expect(await keys({ uses: 'http.request@1' })).toEqual(['alpha']);
    expect(await keys({ uses: 'time.delay' })).toEqual(['epsilon']);
    expect(await keys({ uses: 'core.echo' })).toEqual([]);
  });

  it('pages with a cursor until nextCursor is null', async () => {
    const first = await listWorkflows({ db: t.db, ctx, input: { limit: 2 } });
    expect(first.items.map((w) => w.key)).toEqual(['alpha', 'beta']);
    const second = await listWorkflows({ db: t.db, ctx, input: { limit: 2, cursor: first.nextCursor! } });
    expect(second.items.map((w) => w.key)).toEqual(['delta', 'epsilon']);
    const third = await listWorkflows({ db: t.db, ctx, input: { limit: 2, cursor: second.nextCursor! } });
    expect(third).toMatchObject({ items: [{ key: 'gamma' }], nextCursor: null });
  });

  it("never shows another tenant's workflows", async () => {
    expect(await keys({ q: 'approval' })).toEqual([]);
    expect((await listWorkflows({ db: t.db, ctx: editor, input: { q: 'approval' } })).items.map((w) => w.key)).toEqual([
      'invoice-approval',
    ]);
  });
});
