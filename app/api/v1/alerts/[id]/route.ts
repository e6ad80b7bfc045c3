import { apiRoute } from '@/server/api/route';
import { deleteAlertRuleContract } from '@/server/api/contracts/operations';
import { deleteAlertRule } from '@/server/alerts/manage-alert-rules';

export const DELETE = apiRoute(deleteAlertRuleContract, async ({ db, ctx, params }) => {
  await deleteAlertRule({ db, ctx, id: params.id });
  return null;
});
