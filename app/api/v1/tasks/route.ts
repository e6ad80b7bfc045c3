import { apiRoute } from '@/server/api/route';
import { listTasksContract } from '@/server/api/contracts/tasks';
import { listTasks } from '@/server/tasks/list-tasks';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listTasksContract, ({ db, ctx, query }) => listTasks({ db, ctx, input: query }));
