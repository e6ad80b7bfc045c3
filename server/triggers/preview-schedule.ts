import 'server-only';
import { z } from 'zod';
import { AppError } from '@/model/errors';
import { nextFireTimes, scheduleProblems } from '@/server/triggers/schedule-slots';

export const ZPreviewSchedule = z.object({
  cron: z.string().trim().min(1).max(200),
  timezone: z.string().trim().min(1).max(100).default('UTC'),
  count: z.coerce.number().int().min(1).max(20).default(5),
});
export type TPreviewSchedule = z.input<typeof ZPreviewSchedule>;
export const ZSchedulePreview = z.object({ timezone: z.string(), times: z.array(z.string()) });

/**
 * The next fire times of a cron expression in a time zone, as the trigger form shows them while
 * people type; the same checks as saving a schedule, so a preview that answers means a save that
 * will not be refused for its timing.
 */
export function previewSchedule(input: TPreviewSchedule, now = new Date()): z.infer<typeof ZSchedulePreview> {
  const { cron, timezone, count } = ZPreviewSchedule.parse(input);
  const problems = scheduleProblems(cron, timezone).map((p) => ({ path: p.path, message: p.message }));
  if (problems.length > 0)
    throw new AppError('VALIDATION', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  return {
    timezone,
    times: nextFireTimes({ cron, timezone, from: now, count }).map((date) => date.toISOString()),
  };
}
