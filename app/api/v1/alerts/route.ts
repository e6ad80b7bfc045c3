import { apiRoute } from '@/server/api/route';
import { createAlertRuleContract, listAlertRulesContract } from '@/server/api/contracts/operations';
import { createAlertRule, listAlertFirings, listAlertRules } from '@/server/alerts/manage-alert-rules';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listAlertRulesContract, async ({ db, ctx, query }) => ({
  items: await listAlertRules({ db, ctx, workflow: query.workflow }),
  nextCursor: null,
  fired: (await listAlertFirings({ db, ctx })).map(({ delivery: _delivery, ...firing }) => firing),
}));

export const POST = apiRoute(createAlertRuleContract, ({ db, ctx, body }) => createAlertRule({ db, ctx, input: body }));
