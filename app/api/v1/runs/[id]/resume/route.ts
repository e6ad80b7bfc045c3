import { apiRoute } from '@/server/api/route';
import { resumeRunContract } from '@/server/api/contracts/runs';
import { resumeRun } from '@/server/runs/resume-run';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(resumeRunContract, ({ db, ctx, params, body }) =>
  resumeRun({ db, ctx, input: { ...body, id: params.id } }),
);
