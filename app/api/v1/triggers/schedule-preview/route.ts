import { apiRoute } from '@/server/api/route';
import { previewScheduleContract } from '@/server/api/contracts/triggers';
import { previewSchedule } from '@/server/triggers/preview-schedule';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(previewScheduleContract, async ({ query }) => previewSchedule(query));
