import { apiRoute } from '@/server/api/route';
import { getTaskContract } from '@/server/api/contracts/tasks';
import { getTask } from '@/server/tasks/get-task';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(getTaskContract, ({ db, ctx, params }) => getTask({ db, ctx, input: params }));
