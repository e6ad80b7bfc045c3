import 'server-only';
import { CronExpressionParser } from 'cron-parser';

/** How far back a late tick still looks for the slot it is owed; older slots are skipped. */
export const MAX_CATCH_UP_MS = 25 * 3_600_000;

/**
 * Why a cron expression or time zone cannot be used (every problem, each at its field); empty
 * when both are fine. Five fields (minute resolution): a schedule fires at most once a minute.
 */
export function scheduleProblems(
  cron: string,
  timezone: string,
): Array<{ path: 'cron' | 'timezone'; message: string }> {
  const problems: Array<{ path: 'cron' | 'timezone'; message: string }> = [];
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    problems.push({
      path: 'cron',
      message: `needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    });
  } else {
    try {
      CronExpressionParser.parse(cron, { tz: 'UTC', strict: false });
    } catch (error) {
      problems.push({ path: 'cron', message: `is not a valid cron expression: ${(error as Error).message}` });
    }
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    problems.push({
      path: 'timezone',
      message: `"${timezone}" is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
    });
  }
  return problems;
}

/** The next `count` fire times after `from`, as instants (show them in the trigger's time zone). */
export function nextFireTimes({
  cron,
  timezone,
  from,
  count = 5,
}: {
  cron: string;
  timezone: string;
  from: Date;
  count?: number;
}): Date[] {
  const interval = CronExpressionParser.parse(cron, { tz: timezone, currentDate: from, strict: false });
  const times: Date[] = [];
  for (let i = 0; i < count && interval.hasNext(); i++) times.push(interval.next().toDate());
  return times;
}

/**
 * The slot a tick at `now` fires: the newest fire time in (after, now], or null when none has
 * come due. Slots are always found by walking forward with `next()`, never with `prev()`:
 * cron-parser's `prev()` also lands on the second (standard-time) copy of a wall-clock time in
 * the repeated autumn hour, which `next()` skips, so mixing the two would fire a daily 02:30
 * twice on the fall-back night. Older missed slots collapse into the newest one.
 */
export function dueSlot({
  cron,
  timezone,
  after,
  now,
}: {
  cron: string;
  timezone: string;
  after: Date;
  now: Date;
}): Date | null {
  const start = new Date(Math.max(after.getTime(), now.getTime() - MAX_CATCH_UP_MS));
  const interval = CronExpressionParser.parse(cron, { tz: timezone, currentDate: start, strict: false });
  let due: Date | null = null;
  while (interval.hasNext()) {
    const next = interval.next().toDate();
    if (next.getTime() > now.getTime()) break;
    if (next.getTime() > after.getTime()) due = next;
  }
  return due;
}
