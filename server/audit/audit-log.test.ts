import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '@/server/audit/list-audit-entries';
import { recordAudit } from '@/server/audit/record-audit';
import { encodeCursor } from '@/server/api/pagination';
import type { TAuthContext } from '@/server/auth/context';
import { AppError } from '@/model/errors';
import { createApiToken } from '@/server/tokens/create-api-token';
import { resolveApiToken } from '@/server/tokens/resolve-api-token';
import { putSecret } from '@/server/secrets/put-secret';
import { changePassword } from '@/server/users/change-password';
import { createTenant } from '@/server/tenants/create-tenant';
import { auditRowsWrittenBy, errorOf } from '@/test/audit';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
let mine: Awaited<ReturnType<typeof createTenantWithMember>>;
let theirs: Awaited<ReturnType<typeof createTenantWithMember>>;

beforeAll(async () => {
  t = await createTestDatabase('audit');
  mine = await createTenantWithMember({ db: t.db });
  theirs = await createTenantWithMember({ db: t.db });
  for (let i = 1; i <= 7; i++)
    await recordAudit({
      db: t.db,
      ctx: mine.ctx,
      entry: { action: `test.step${i}`, targetType: 'thing', targetId: String(i), data: { i } },
    });
  for (let i = 1; i <= 3; i++)
    await recordAudit({
      db: t.db,
      ctx: theirs.ctx,
      entry: { action: `test.foreign${i}`, targetType: 'thing', targetId: `f${i}` },
    });
});
afterAll(async () => t.close());

async function allPages(ctx: TAuthContext, limit: number, action?: string) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listAuditEntries>> = await listAuditEntries({
      db: t.db,
      ctx,
      limit,
      cursor,
      filters: { action },
    });
    pages.push(page.items.map((item) => item.action));
    cursor = page.nextCursor;
  } while (cursor && pages.length < 20);
  return pages;
}

describe('reading the audit log (listAuditEntries)', () => {
  it('pages newest first with a cursor, every entry exactly once', async () => {
    const pages = await allPages(mine.ctx, 3, 'test.');
    expect(pages).toEqual([
      ['test.step7', 'test.step6', 'test.step5'],
      ['test.step4', 'test.step3', 'test.step2'],
      ['test.step1'],
    ]);
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const page = await listAuditEntries({ db: t.db, ctx: mine.ctx, limit: 7, filters: { action: 'test.' } });
    expect(page.items).toHaveLength(7);
    expect(page.nextCursor).toBeNull();
  });

  it("shows only the caller's tenant", async () => {
    const mineAll = (await allPages(mine.ctx, 50)).flat();
    const theirsAll = (await allPages(theirs.ctx, 50)).flat();
    expect(mineAll.some((a) => a.startsWith('test.foreign'))).toBe(false);
    expect(theirsAll).toEqual(['test.foreign3', 'test.foreign2', 'test.foreign1']);
  });

  it('filters by action prefix, treating % and _ literally', async () => {
    expect((await allPages(mine.ctx, 50, 'test.step1')).flat()).toEqual(['test.step1']);
    expect((await allPages(mine.ctx, 50, 'test%')).flat()).toEqual([]);
  });

  it('returns who, what, target and when for each entry', async () => {
    const [entry] = (await listAuditEntries({ db: t.db, ctx: mine.ctx, limit: 1, filters: { action: 'test.step7' } }))
      .items;
    expect(entry).toEqual({
      id: expect.any(String),
      actorType: 'user',
      actorLabel: mine.email,
      action: 'test.step7',
      targetType: 'thing',
      targetId: '7',
      data: { i: 7 },
      createdAt: expect.any(String),
      session: null,
    });
    expect(Date.parse(entry!.createdAt)).not.toBeNaN();
  });

  it('answers VALIDATION (not a server error) for a cursor it never issued', async () => {
    for (const cursor of [encodeCursor('not-a-number'), encodeCursor('99999999999999999999'), 'abc', '!!!']) {
      const error = await errorOf(() => listAuditEntries({ db: t.db, ctx: mine.ctx, cursor }));
      expect(error, cursor).toBeInstanceOf(AppError);
      expect((error as AppError).code, cursor).toBe('VALIDATION');
    }
  });
});

describe('who the audit log names', () => {
  it('labels a token by its name and a person by their email', async () => {
    const { token } = await createApiToken({ db: t.db, ctx: mine.ctx, input: { name: 'deploy-bot', role: 'admin' } });
    const tokenCtx = (await resolveApiToken({ db: t.db, token }))!;
    const { rows } = await auditRowsWrittenBy(t.db, mine.tenantId, () =>
      putSecret({ db: t.db, ctx: tokenCtx, input: { name: 'FROM_TOKEN', value: 'v-123456' } }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_type: 'token',
      actor_id: tokenCtx.actor.type === 'token' ? tokenCtx.actor.tokenId : '',
      actor_label: 'token deploy-bot',
      action: 'secret.created',
      target_id: 'FROM_TOKEN',
    });
  });

  it('records a password change once, without the password', async () => {
    const { rows } = await auditRowsWrittenBy(t.db, mine.tenantId, () =>
      changePassword({
        db: t.db,
        ctx: mine.ctx,
        input: { currentPassword: mine.password, newPassword: 'a brand new password' },
      }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_label: mine.email,
      action: 'user.password_changed',
      target_type: 'user',
      target_id: mine.userId,
    });
    expect(JSON.stringify(rows[0])).not.toContain('a brand new password');
  });

  it('records nothing when a password change is refused', async () => {
    const { rows } = await auditRowsWrittenBy(t.db, mine.tenantId, async () => {
      const error = await errorOf(() =>
        changePassword({
          db: t.db,
          ctx: mine.ctx,
          input: { currentPassword: 'not my password', newPassword: 'another new password' },
        }),
      );
      expect((error as AppError).code).toBe('VALIDATION');
    });
    expect(rows).toHaveLength(0);
  });

  it('records a new tenant in that tenant, by the person who created it', async () => {
    const before = await t.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirstOrThrow();
    const tenant = await createTenant({ db: t.db, ctx: mine.ctx, input: { name: 'Second', slug: 'second-tenant' } });
    const rows = await t.db.selectFrom('audit_log').selectAll().where('id', '>', before.max!).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenant_id: tenant.id,
      actor_label: mine.email,
      action: 'tenant.created',
      target_id: tenant.id,
    });
  });
});
