import { apiRoute } from '@/server/api/route';
import { listActionTypesContract } from '@/server/api/contracts/registry';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listActionTypesContract, async () => ({ items: listActionTypes(), nextCursor: null }));
