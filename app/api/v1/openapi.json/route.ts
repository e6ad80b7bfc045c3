import { apiRoute } from '@/server/api/route';
import { getOpenApiContract } from '@/server/api/contracts/system';
import { buildOpenApi } from '@/server/api/build-openapi';

export const GET = apiRoute(getOpenApiContract, async () => buildOpenApi());
