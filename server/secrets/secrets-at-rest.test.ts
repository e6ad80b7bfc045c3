import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@/model/errors';
import { deleteSecret } from '@/server/secrets/delete-secret';
import { listSecrets } from '@/server/secrets/list-secrets';
import { putSecret } from '@/server/secrets/put-secret';
import { readSecretValue } from '@/server/secrets/read-secret-value';
import { auditRowsWrittenBy, errorOf } from '@/test/audit';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';

let t: TTestDatabase;
let a: Awaited<ReturnType<typeof createTenantWithMember>>;
let b: Awaited<ReturnType<typeof createTenantWithMember>>;
const originalKey = process.env.PIPEWRIGHT_SECRET_KEY;
const usedValues: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase('secrets_at_rest');
  a = await createTenantWithMember({ db: t.db, role: 'admin' });
  b = await createTenantWithMember({ db: t.db, role: 'admin' });
});
afterEach(() => {
  process.env.PIPEWRIGHT_SECRET_KEY = originalKey;
});
afterAll(async () => t.close());

function uniqueValue(label: string): string {
  const value = `${label}-${randomBytes(8).toString('hex')}`;
  usedValues.push(value);
  return value;
}

async function expectUnreadable(tenantId: string, name: string) {
  const error = await errorOf(() => readSecretValue({ db: t.db, tenantId, name }));
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('CONFIG');
  expect((error as AppError).message).toMatch(/cannot be decrypted/);
}

describe('a stored secret', () => {
  it('is encrypted in the database and reads back as the clear value', async () => {
    const value = uniqueValue('plain-value');
    await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'API_KEY', value } });
    const found = await sql<{ hits: number }>`
      SELECT count(*)::int AS hits FROM secrets
       WHERE position(convert_to(${value}, 'UTF8') IN ciphertext) > 0
          OR position(convert_to(${value}, 'UTF8') IN iv) > 0
          OR position(convert_to(${value}, 'UTF8') IN auth_tag) > 0
          OR row_to_json(secrets)::text LIKE ${`%${value}%`}`.execute(t.db);
    expect(found.rows[0]?.hits).toBe(0);
    const row = await t.db
      .selectFrom('secrets')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('name', '=', 'API_KEY')
      .executeTakeFirstOrThrow();
    expect(row.iv).toHaveLength(12);
    expect(row.auth_tag).toHaveLength(16);
    expect(await readSecretValue({ db: t.db, tenantId: a.tenantId, name: 'API_KEY' })).toBe(value);
  });

  it('keeps non-ASCII values intact', async () => {
    const value = uniqueValue('pässwörd-🔑-密码');
    await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'UNICODE', value } });
    expect(await readSecretValue({ db: t.db, tenantId: a.tenantId, name: 'UNICODE' })).toBe(value);
  });

  it('seals the same value differently each time (a fresh IV per write)', async () => {
    const value = uniqueValue('same');
    await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'SAME_1', value } });
    await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'SAME_2', value } });
    const rows = await t.db
      .selectFrom('secrets')
      .select(['ciphertext', 'iv'])
      .where('tenant_id', '=', a.tenantId)
      .where('name', 'in', ['SAME_1', 'SAME_2'])
      .execute();
    expect(rows[0]!.iv.equals(rows[1]!.iv)).toBe(false);
    expect(rows[0]!.ciphertext.equals(rows[1]!.ciphertext)).toBe(false);
  });

  it('answers NOT_FOUND for a name the tenant does not have', async () => {
    const error = await errorOf(() => readSecretValue({ db: t.db, tenantId: b.tenantId, name: 'API_KEY' }));
    expect((error as AppError).code).toBe('NOT_FOUND');
  });
});

describe('replacing a secret', () => {
  it('keeps created_at, moves updated_at and keeps the description when none is given', async () => {
    const first = await putSecret({
      db: t.db,
      ctx: a.ctx,
      input: { name: 'ROTATED', value: uniqueValue('v1'), description: 'rotated monthly' },
    });
    expect(first.created).toBe(true);
    const second = await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'ROTATED', value: uniqueValue('v2') } });
    expect(second.created).toBe(false);
    expect(second.record.createdAt).toBe(first.record.createdAt);
    expect(second.record.description).toBe('rotated monthly');
    // Compare in the database: microsecond timestamps, no millisecond rounding.
    const moved = await sql<{
      moved: boolean;
    }>`SELECT updated_at > created_at AS moved FROM secrets WHERE tenant_id = ${a.tenantId} AND name = 'ROTATED'`.execute(
      t.db,
    );
    expect(moved.rows[0]?.moved).toBe(true);
    expect(await readSecretValue({ db: t.db, tenantId: a.tenantId, name: 'ROTATED' })).toBe(usedValues.at(-1));
  });

  it('changes the description when one is given, even to empty', async () => {
    await putSecret({
      db: t.db,
      ctx: a.ctx,
      input: { name: 'DESCRIBED', value: uniqueValue('d1'), description: 'old' },
    });
    const replaced = await putSecret({
      db: t.db,
      ctx: a.ctx,
      input: { name: 'DESCRIBED', value: uniqueValue('d2'), description: '' },
    });
    expect(replaced.record.description).toBe('');
  });
});

describe('a ciphertext moved out of its row', () => {
  it("does not decrypt when copied into another tenant's row of the same name", async () => {
    const value = uniqueValue('tenant-bound');
    await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'SHARED_NAME', value } });
    const source = await t.db
      .selectFrom('secrets')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('name', '=', 'SHARED_NAME')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('secrets')
      .values({
        tenant_id: b.tenantId,
        name: 'SHARED_NAME',
        ciphertext: source.ciphertext,
        iv: source.iv,
        auth_tag: source.auth_tag,
      })
      .execute();
    await expectUnreadable(b.tenantId, 'SHARED_NAME');
    expect(await readSecretValue({ db: t.db, tenantId: a.tenantId, name: 'SHARED_NAME' })).toBe(value);
  });

  it('does not decrypt after the row is renamed', async () => {
    await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'ORIGINAL', value: uniqueValue('name-bound') } });
    await t.db
      .updateTable('secrets')
      .set({ name: 'RENAMED' })
      .where('tenant_id', '=', a.tenantId)
      .where('name', '=', 'ORIGINAL')
      .execute();
    await expectUnreadable(a.tenantId, 'RENAMED');
  });

  it('does not decrypt under a different PIPEWRIGHT_SECRET_KEY, and the error leaks no key material', async () => {
    await putSecret({ db: t.db, ctx: a.ctx, input: { name: 'KEY_BOUND', value: uniqueValue('key-bound') } });
    const otherKey = randomBytes(32).toString('base64');
    process.env.PIPEWRIGHT_SECRET_KEY = otherKey;
    await expectUnreadable(a.tenantId, 'KEY_BOUND');
    const error = (await errorOf(() =>
      readSecretValue({ db: t.db, tenantId: a.tenantId, name: 'KEY_BOUND' }),
    )) as AppError;
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(otherKey);
    process.env.PIPEWRIGHT_SECRET_KEY = originalKey;
    expect(await readSecretValue({ db: t.db, tenantId: a.tenantId, name: 'KEY_BOUND' })).toBe(usedValues.at(-1));
  });
});

describe('the audit trail of secrets', () => {
  it('records create, replace and delete once each, by name, never with the value', async () => {
    const created = await auditRowsWrittenBy(t.db, a.tenantId, () =>
      putSecret({ db: t.db, ctx: a.ctx, input: { name: 'AUDITED', value: uniqueValue('audit-1') } }),
    );
    const replaced = await auditRowsWrittenBy(t.db, a.tenantId, () =>
      putSecret({ db: t.db, ctx: a.ctx, input: { name: 'AUDITED', value: uniqueValue('audit-2') } }),
    );
    const deleted = await auditRowsWrittenBy(t.db, a.tenantId, () =>
      deleteSecret({ db: t.db, ctx: a.ctx, name: 'AUDITED' }),
    );
    for (const [{ rows }, action] of [
      [created, 'secret.created'],
      [replaced, 'secret.replaced'],
      [deleted, 'secret.deleted'],
    ] as const) {
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actor_type: 'user',
        actor_label: a.email,
        action,
        target_type: 'secret',
        target_id: 'AUDITED',
      });
    }
    expect((await listSecrets({ db: t.db, ctx: a.ctx })).map((s) => s.name)).not.toContain('AUDITED');
  });

  it('holds no secret value anywhere in audit_log', async () => {
    expect(usedValues.length).toBeGreaterThan(5);
    const rows = await sql<{ text: string }>`SELECT row_to_json(audit_log)::text AS text FROM audit_log`.execute(t.db);
    expect(rows.rows.length).toBeGreaterThan(5);
    for (const { text } of rows.rows) for (const value of usedValues) expect(text).not.toContain(value);
  });

  it('a failed delete writes nothing', async () => {
    const { rows } = await auditRowsWrittenBy(t.db, a.tenantId, async () => {
      const error = await errorOf(() => deleteSecret({ db: t.db, ctx: a.ctx, name: 'NEVER_EXISTED' }));
      expect((error as AppError).code).toBe('NOT_FOUND');
    });
    expect(rows).toHaveLength(0);
  });
});
