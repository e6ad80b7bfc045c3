import { apiRoute } from '@/server/api/route';
import { answerTasksInBulkContract } from '@/server/api/contracts/tasks';
import { answerTasksInBulk } from '@/server/tasks/answer-tasks-in-bulk';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(answerTasksInBulkContract, ({ db, ctx, body }) =>
  answerTasksInBulk({ db, ctx, input: body }),
);
