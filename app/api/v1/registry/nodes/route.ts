import { apiRoute } from '@/server/api/route';
import { listNodeTypesContract } from '@/server/api/contracts/registry';
import { listNodeTypes } from '@/server/runtime/registry/list-node-types';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listNodeTypesContract, async () => ({ items: listNodeTypes(), nextCursor: null }));
