import { apiRoute, jsonResponse } from '@/server/api/route';
import { getHealthContract } from '@/server/api/contracts/system';
import { checkHealth } from '@/server/health/check-health';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(getHealthContract, async ({ db }) => {
  const health = await checkHealth({ db });
  return jsonResponse(health, health.db ? 200 : 503);
});
