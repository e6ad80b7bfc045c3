import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TAuthContext } from '@/server/auth/context';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { getVersion } from '@/server/workflows/get-version';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';
import { getRunForm } from '@/server/triggers/get-run-form';

let t: TTestDatabase;
let editor: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('document_order');
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => t.close());

// Written deliberately out of jsonb's order (shorter keys first, then bytewise).
const AUTHOR_ORDER = ['email', 'amount', 'priority', 'urgent', 'approver', 'lines'];
const parameterSchema = {
  type: 'object',
  properties: Object.fromEntries(AUTHOR_ORDER.map((name) => [name, { type: 'string' }])),
};

describe('stored documents keep the order their author wrote', () => {
  it("keeps a parameter schema's fields in the author's order through draft, publish and the run form", async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'ordered', name: 'Ordered' } });
    await saveDraft({
      db: t.db,
      ctx: editor,
      input: { key: 'ordered', document: { key: 'ordered', name: 'Ordered', parameterSchema, steps: [] } },
    });
    const draft = await getVersion({ db: t.db, ctx: editor, input: { key: 'ordered', version: 1 } });
    expect(Object.keys((draft.document.parameterSchema as { properties: object }).properties)).toEqual(AUTHOR_ORDER);

    await publishVersion({ db: t.db, ctx: editor, input: { key: 'ordered', version: 1 } });
    const form = await getRunForm({ db: t.db, ctx: editor, input: { key: 'ordered' } });
    expect(Object.keys((form.parameterSchema as { properties: object }).properties)).toEqual(AUTHOR_ORDER);
  });

  it('stores version documents and task forms as json, which keeps key order (jsonb sorts keys)', async () => {
    const { rows } = await sql<{ table_name: string; data_type: string }>`
      SELECT table_name, data_type FROM information_schema.columns
      WHERE (table_name, column_name) IN (('workflow_versions', 'document'), ('tasks', 'form')) ORDER BY table_name`.execute(
      t.db,
    );
    expect(rows).toEqual([
      { table_name: 'tasks', data_type: 'json' },
      { table_name: 'workflow_versions', data_type: 'json' },
    ]);
  });
});
