import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '@/server/audit/list-audit-entries';
import { AppError } from '@/model/errors';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
let mine: Awaited<ReturnType<typeof createTenantWithMember>>;
let other: Awaited<ReturnType<typeof createTenantWithMember>>;
const base = new Date('2026-12-01T09:00:00Z');
const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);

/** One audit row written as recordAudit would, at a chosen time. */
async function row(
  who: typeof mine,
  minutes: number,
  action: string,
  target: [string, string | null],
  data: Record<string, unknown> = {},
) {
  await t.db
    .insertInto('audit_log')
    .values({
      tenant_id: who.tenantId,
      actor_type: 'user',
      actor_id: who.userId,
      actor_label: who.email,
      action,
      target_type: target[0],
      target_id: target[1],
      data: JSON.stringify(data),
      created_at: at(minutes),
    })
    .execute();
}

beforeAll(async () => {
  t = await createTestDatabase('audit_sessions');
  mine = await createTenantWithMember({ db: t.db });
  other = await createTenantWithMember({ db: t.db });
  // Session 1 on "invoice": saves at 0, 3, 8, 17 (each within 10 min of the previous).
  for (const m of [0, 3, 8, 17]) await row(mine, m, 'workflow.draft_saved', ['workflow', 'invoice'], { revision: m });
  // Another person's saves on the same workflow in between are their own session.
  await row(other, 5, 'workflow.draft_saved', ['workflow', 'invoice']);
  await row(mine, 20, 'workflow.version_published', ['workflow', 'invoice'], { version: 1 });
  // Session 2 on "invoice": a 40-minute pause ends session 1.
  for (const m of [57]) await row(mine, m, 'workflow.draft_saved', ['workflow', 'invoice']);
  // A lone save on another workflow between them is not folded with either.
  await row(mine, 57.5, 'workflow.draft_saved', ['workflow', 'orders']);
  await row(mine, 58, 'workflow.draft_saved', ['workflow', 'invoice']);
  await row(mine, 60, 'run.canceled', ['run', '00000000-0000-4000-8000-000000000001'], {
    from: 'WAITING',
    reason: 'customer withdrew',
  });
  await row(mine, 61, 'run.canceled', ['run', '00000000-0000-4000-8000-000000000002'], { from: 'RUNNING' });
  await row(mine, 62, 'token.created', ['api_token', 'tok-1'], { name: 'ci' });
});
afterAll(async () => t.close());

const list = (filters: Parameters<typeof listAuditEntries>[0]['filters'] = {}, limit = 50, cursor?: string | null) =>
  listAuditEntries({ db: t.db, ctx: mine.ctx, limit, cursor, filters });

describe('the audit log folds autosaves into editing sessions', () => {
  it('shows each session once, at its last save, with the count and the first time', async () => {
    const { items } = await list({ action: 'workflow.' });
    const saves = items.filter((item) => item.action === 'workflow.draft_saved');
    expect(saves.map((item) => [item.targetId, item.createdAt, item.session])).toEqual([
      ['invoice', at(58).toISOString(), { count: 2, firstAt: at(57).toISOString() }],
      ['orders', at(57.5).toISOString(), null],
      ['invoice', at(17).toISOString(), { count: 4, firstAt: at(0).toISOString() }],
    ]);
    expect(items.map((item) => item.action)).toEqual([
      'workflow.draft_saved',
      'workflow.draft_saved',
      'workflow.version_published',
      'workflow.draft_saved',
    ]);
  });

  it('pages by keyset over the folded rows: every row once, none folded twice', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listAuditEntries>> = await list({}, 2, cursor);
      seen.push(...page.items.map((item) => `${item.action}@${item.createdAt}`));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(7);
  });
});

describe('filters', () => {
  it('by action family, target type, actor and time range', async () => {
    expect((await list({ action: 'run.' })).items.map((item) => item.data.reason ?? null)).toEqual([
      null,
      'customer withdrew',
    ]);
    expect((await list({ targetType: 'api_token' })).items.map((item) => item.action)).toEqual(['token.created']);
    expect((await list({ actor: mine.email.toUpperCase() })).items).toHaveLength(7);
    expect((await list({ actor: 'nobody-by-that-name' })).items).toHaveLength(0);
    const window = await list({ from: at(59).toISOString(), to: at(61.5).toISOString() });
    expect(window.items.map((item) => item.action)).toEqual(['run.canceled', 'run.canceled']);
  });

  it('never shows another tenant’s rows, even in a session of the same workflow key', async () => {
    const theirs = await listAuditEntries({ db: t.db, ctx: other.ctx, filters: {} });
    expect(theirs.items.map((item) => [item.action, item.session])).toEqual([['workflow.draft_saved', null]]);
  });

  it('refuses a malformed time or an overlong filter with a VALIDATION error naming it', async () => {
    const error = await list({ from: 'yesterday' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(JSON.stringify(error)).toContain('from');
    const long = await list({ actor: 'x'.repeat(201) }).catch((caught: unknown) => caught);
    expect(JSON.stringify(long)).toContain('actor');
    const cursor = await list({}, 5, 'not-a-cursor!').catch((caught: unknown) => caught);
    expect(cursor).toBeInstanceOf(AppError);
  });
});
