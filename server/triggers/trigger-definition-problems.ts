import 'server-only';
import type { DbOrTx } from '@/server/db/database';
import type { TFieldIssue } from '@/model/errors';
import type { TTriggerDefinition } from '@/model/definition/trigger-config';
import { checkExpressionSyntax } from '@/server/runtime/expressions/check-expression-syntax';
import { scheduleProblems } from '@/server/triggers/schedule-slots';
import { scheduleInputProblems } from '@/server/triggers/schedule-input-problems';

/**
 * Every problem with a trigger definition that its schema alone cannot see, at its path:
 * shared by creating and editing a trigger, so an edit is checked exactly like a creation.
 */
export async function triggerDefinitionProblems({
  db,
  tenantId,
  workflowId,
  definition,
}: {
  db: DbOrTx;
  tenantId: string;
  workflowId: string;
  definition: TTriggerDefinition;
}): Promise<TFieldIssue[]> {
  const problems: TFieldIssue[] = [];
  if (definition.version !== undefined) {
    const published = await db
      .selectFrom('workflow_versions')
      .select('id')
      .where('workflow_id', '=', workflowId)
      .where('version', '=', definition.version)
      .where('status', '=', 'published')
      .executeTakeFirst();
    if (!published)
      problems.push({
        path: 'version',
        message: `version ${definition.version} is not a published version of this workflow`,
      });
  }
  switch (definition.type) {
    case 'manual':
      break;
    case 'webhook':
      if (definition.config.secret) {
        const secret = await db
          .selectFrom('secrets')
          .select('name')
          .where('tenant_id', '=', tenantId)
          .where('name', '=', definition.config.secret)
          .executeTakeFirst();
        if (!secret)
          problems.push({
            path: 'config.secret',
            message: `no secret named "${definition.config.secret}" in this tenant (create it under Settings → Secrets first)`,
          });
      }
      break;
    case 'schedule':
      for (const problem of scheduleProblems(definition.config.cron, definition.config.timezone))
        problems.push({ path: `config.${problem.path}`, message: problem.message });
      problems.push(
        ...(await scheduleInputProblems({
          db,
          workflowId,
          version: definition.version,
          input: definition.config.input,
        })),
      );
      break;
    case 'event':
      for (const field of ['filter', 'input'] as const) {
        const source = definition.config[field];
        if (source === undefined) continue;
        const check = checkExpressionSyntax(source);
        if (!check.ok) problems.push({ path: `config.${field}`, message: check.message });
      }
      break;
  }
  return problems;
}
