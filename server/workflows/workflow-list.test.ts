import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import type { TRunStatus } from '@/model/run-status';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { addMemberTo, createTenantWithMember } from '@/test/fixtures';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { duplicateWorkflow } from '@/server/workflows/duplicate-workflow';
import { getVersion } from '@/server/workflows/get-version';
import { listWorkflows } from '@/server/workflows/list-workflows';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';

let t: TTestDatabase;
let editor: TAuthContext;
let viewer: TAuthContext;
let other: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('workflow-list');
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
  viewer = (await addMemberTo({ db: t.db, ctx: editor, role: 'viewer' })).ctx;
  other = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => t.close());

const document = (key: string, name: string) => ({
  key,
  name,
  steps: [{ id: 'hello', type: 'action.call', config: { action: 'core.echo', version: 1, input: { hi: 1 } } }],
});

/** Runs as the runtime writes them, at a given age: the list only reads them. */
async function insertRuns(ctx: TAuthContext, key: string, runs: Array<{ status: TRunStatus; daysAgo: number }>) {
  const workflow = await t.db
    .selectFrom('workflows')
    .select('id')
    .where('tenant_id', '=', ctx.tenantId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  const version = await t.db
    .selectFrom('workflow_versions')
    .select(['id', 'version'])
    .where('workflow_id', '=', workflow.id)
    .orderBy('version', 'desc')
    .executeTakeFirstOrThrow();
  for (const run of runs) {
    await t.db
      .insertInto('runs')
      .values({
        tenant_id: ctx.tenantId,
        workflow_id: workflow.id,
        workflow_key: key,
        version_id: version.id,
        version: version.version,
        status: run.status,
        input: '{}',
        trigger: JSON.stringify({ type: 'api' }),
        execution: '{}',
        created_at: sql`now() - make_interval(days => ${run.daysAgo})`,
      })
      .execute();
  }
}

describe('listWorkflows stats', () => {
  it('counts runs and outcomes of the last 7 days and reports the latest run with its status', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'busy', name: 'Busy', tags: ['finance'] } });
    await saveDraft({ db: t.db, ctx: editor, input: { key: 'busy', document: document('busy', 'Busy') } });
    await publishVersion({ db: t.db, ctx: editor, input: { key: 'busy', version: 1 } });
    await insertRuns(editor, 'busy', [
      { status: 'SUCCEEDED', daysAgo: 1 },
      { status: 'SUCCEEDED', daysAgo: 2 },
      { status: 'FAILED', daysAgo: 3 },
      { status: 'SUCCEEDED', daysAgo: 10 },
      { status: 'RUNNING', daysAgo: 0 },
    ]);
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'idle', name: 'Idle' } });
    const { items } = await listWorkflows({ db: t.db, ctx: viewer, input: {} });
    expect(items.find((w) => w.key === 'busy')?.stats).toMatchObject({
      runs: 4,
      succeeded: 2,
      failed: 1,
      lastRunStatus: 'RUNNING',
    });
    expect(items.find((w) => w.key === 'busy')?.stats.lastRunAt).toEqual(expect.any(String));
    expect(items.find((w) => w.key === 'idle')?.stats).toEqual({
      runs: 0,
      succeeded: 0,
      failed: 0,
      lastRunAt: null,
      lastRunStatus: null,
    });
  });

  it('finds workflows by part of a tag, and never shows another tenant’s', async () => {
    await createWorkflow({ db: t.db, ctx: other, input: { key: 'theirs', name: 'Theirs', tags: ['finance'] } });
    expect((await listWorkflows({ db: t.db, ctx: editor, input: { q: 'FINAN' } })).items.map((w) => w.key)).toEqual([
      'busy',
    ]);
    expect((await listWorkflows({ db: t.db, ctx: editor, input: { q: '50%_' } })).items).toEqual([]);
  });
});

describe('duplicateWorkflow', () => {
  it('copies the current definition, description and tags under a new key as a first draft, audited', async () => {
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'busy', document: { ...document('busy', 'Busy'), description: 'edited in the draft' } },
    });
    const copy = await duplicateWorkflow({
      db: t.db,
      ctx: editor,
      input: { key: 'busy', newKey: 'busy-copy', name: 'Busy (copy)' },
    });
    expect(copy).toMatchObject({
      key: 'busy-copy',
      name: 'Busy (copy)',
      tags: ['finance'],
      latestVersion: null,
      draftVersion: 1,
      stats: { runs: 0 },
    });
    const { document: copied } = await getVersion({ db: t.db, ctx: editor, input: { key: 'busy-copy', version: 1 } });
    expect(copied).toMatchObject({
      key: 'busy-copy',
      name: 'Busy (copy)',
      description: 'edited in the draft',
      status: 'draft',
      steps: [{ id: 'hello' }],
    });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('tenant_id', '=', editor.tenantId)
      .where('target_id', '=', 'busy-copy')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['workflow.created', 'workflow.draft_created', 'workflow.duplicated']);
  });

  it('copies a workflow with no versions as an empty workflow', async () => {
    await expect(
      duplicateWorkflow({ db: t.db, ctx: editor, input: { key: 'idle', newKey: 'idle-2', name: 'Idle 2' } }),
    ).resolves.toMatchObject({ draftVersion: null });
  });

  it('refuses a taken key, an unknown or foreign source, and a viewer, leaving nothing behind', async () => {
    await expect(
      duplicateWorkflow({ db: t.db, ctx: editor, input: { key: 'busy', newKey: 'idle', name: 'x' } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      duplicateWorkflow({ db: t.db, ctx: editor, input: { key: 'theirs', newKey: 'stolen', name: 'x' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      duplicateWorkflow({ db: t.db, ctx: viewer, input: { key: 'busy', newKey: 'by-viewer', name: 'x' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const keys = (await listWorkflows({ db: t.db, ctx: editor, input: {} })).items.map((w) => w.key);
    expect(keys).not.toContain('stolen');
    expect(keys).not.toContain('by-viewer');
  });
});
