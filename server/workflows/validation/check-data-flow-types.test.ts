import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TAuthContext } from '@/server/auth/context';
import { createTestDatabase, type TTestDatabase } from '@/test/database';
import { createTenantWithMember } from '@/test/fixtures';
import { createWorkflow } from '@/server/workflows/create-workflow';
import { publishVersion } from '@/server/workflows/publish-version';
import { saveDraft } from '@/server/workflows/save-draft';

let t: TTestDatabase;
let editor: TAuthContext;

beforeAll(async () => {
  t = await createTestDatabase('data_flow_types');
  editor = (await createTenantWithMember({ db: t.db, role: 'editor' })).ctx;
});
afterAll(async () => t.close());

describe('typed data flow at publish', () => {
  it('publishes a draft whose expressions read impossible paths or wrong types, and returns them as warnings', async () => {
    await createWorkflow({ db: t.db, ctx: editor, input: { key: 'typed', name: 'Typed' } });
    const document = {
      key: 'typed',
      name: 'Typed',
      parameterSchema: { type: 'object', properties: { amount: { type: 'number' } } },
      steps: [
        { id: 'early', type: 'log', config: { level: 'info', message: { $expr: "'total ' & vars.total" } } },
        { id: 'set', type: 'transform.assign', config: { assign: { 'vars.label': 'seven' } } },
        { id: 'wait', type: 'time.delay', config: { durationMs: { $expr: 'vars.label' } } },
        { id: 'late', type: 'log', config: { level: 'info', message: { $template: 'Label {{ vars.label }}' } } },
      ],
    };
    await saveDraft({ db: t.db, ctx: editor, input: { key: 'typed', document } });
    const published = await publishVersion({ db: t.db, ctx: editor, input: { key: 'typed', version: 1 } });
    expect(published.version).toBe(1);
    expect(published.warnings).toEqual([
      expect.objectContaining({
        stepId: 'early',
        path: 'steps[0].config.message',
        message: 'vars.total is not set by any step before this one',
      }),
      expect.objectContaining({
        stepId: 'wait',
        path: 'steps[2].config.durationMs',
        message: 'This gives a string, but the field takes integer',
      }),
    ]);
  });
});
