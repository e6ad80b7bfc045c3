import { apiRoute } from '@/server/api/route';
import { addTaskCommentContract, listTaskCommentsContract } from '@/server/api/contracts/tasks';
import { addTaskComment, listTaskComments } from '@/server/tasks/task-comments';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listTaskCommentsContract, ({ db, ctx, params }) =>
  listTaskComments({ db, ctx, input: { id: params.id } }),
);

export const POST = apiRoute(addTaskCommentContract, ({ db, ctx, params, body }) =>
  addTaskComment({ db, ctx, input: { ...body, id: params.id } }),
);
