import { describe, expect, it } from 'vitest';
import { dueSlot, nextFireTimes, scheduleProblems } from '@/server/triggers/schedule-slots';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;

// Europe/Berlin, 2026: clocks go 02:00 CET → 03:00 CEST on 29 March (02:00–03:00 never
// happens) and 03:00 CEST → 02:00 CET on 25 October (02:00–03:00 happens twice).
describe('schedule slots across daylight-saving changes (Europe/Berlin)', () => {
  const daily = { cron: '30 2 * * *', timezone: 'Europe/Berlin' };

  it('spring forward: a daily 02:30, which does not exist that night, fires once at 03:30 CEST', () => {
    const after = at('2026-03-28T12:00:00Z');
    // 03:00 CEST (01:00Z): the skipped 02:30 is not due early.
    expect(dueSlot({ ...daily, after, now: at('2026-03-29T01:00:00Z') })).toBeNull();
    // 03:30 CEST (01:30Z) is the slot.
    expect(iso(dueSlot({ ...daily, after, now: at('2026-03-29T01:30:10Z') }))).toBe('2026-03-29T01:30:00.000Z');
    // Nothing more that day.
    expect(dueSlot({ ...daily, after: at('2026-03-29T01:30:00Z'), now: at('2026-03-29T22:00:00Z') })).toBeNull();
    expect(nextFireTimes({ ...daily, from: after, count: 3 }).map((d) => d.toISOString())).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('fall back: a daily 02:30, which happens twice that night, fires once, at the first (summer-time) 02:30', () => {
    const after = at('2026-10-24T12:00:00Z');
    expect(iso(dueSlot({ ...daily, after, now: at('2026-10-25T00:30:05Z') }))).toBe('2026-10-25T00:30:00.000Z');
    // The second 02:30 (01:30Z, CET) is not a slot: a tick then fires nothing.
    expect(dueSlot({ ...daily, after: at('2026-10-25T00:30:00Z'), now: at('2026-10-25T01:30:05Z') })).toBeNull();
    expect(nextFireTimes({ ...daily, from: after, count: 2 }).map((d) => d.toISOString())).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('an hourly schedule skips the hour that does not exist and fires in both repeated hours', () => {
    const hourly = { cron: '30 * * * *', timezone: 'Europe/Berlin' };
    expect(
      nextFireTimes({ ...hourly, from: at('2026-03-28T23:00:00Z'), count: 4 }).map((d) => d.toISOString()),
    ).toEqual([
      '2026-03-28T23:30:00.000Z', // 00:30 CET
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:30:00.000Z', // 03:30 CEST (02:30 never happened)
      '2026-03-29T02:30:00.000Z', // 04:30 CEST
    ]);
    expect(
      nextFireTimes({ ...hourly, from: at('2026-10-24T23:00:00Z'), count: 4 }).map((d) => d.toISOString()),
    ).toEqual([
      '2026-10-24T23:30:00.000Z', // 01:30 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:30:00.000Z', // 03:30 CET
    ]);
  });
});

describe('dueSlot', () => {
  const everyMinute = { cron: '* * * * *', timezone: 'UTC' };

  it('is the newest slot in (after, now]: older missed slots collapse into it', () => {
    expect(iso(dueSlot({ ...everyMinute, after: at('2026-01-01T10:00:00Z'), now: at('2026-01-01T10:05:30Z') }))).toBe(
      '2026-01-01T10:05:00.000Z',
    );
    expect(dueSlot({ ...everyMinute, after: at('2026-01-01T10:05:00Z'), now: at('2026-01-01T10:05:59Z') })).toBeNull();
    expect(iso(dueSlot({ ...everyMinute, after: at('2026-01-01T10:05:00Z'), now: at('2026-01-01T10:06:00Z') }))).toBe(
      '2026-01-01T10:06:00.000Z',
    );
  });

  it('does not look back further than a day after a long outage', () => {
    const weekly = { cron: '0 9 * * 1', timezone: 'UTC' };
    expect(dueSlot({ ...weekly, after: at('2026-01-01T00:00:00Z'), now: at('2026-01-20T12:00:00Z') })).toBeNull();
    expect(iso(dueSlot({ ...weekly, after: at('2026-01-01T00:00:00Z'), now: at('2026-01-19T12:00:00Z') }))).toBe(
      '2026-01-19T09:00:00.000Z',
    );
  });

  it('reads the expression in the trigger time zone', () => {
    expect(
      iso(
        dueSlot({
          cron: '0 9 * * *',
          timezone: 'America/New_York',
          after: at('2026-07-01T00:00:00Z'),
          now: at('2026-07-01T13:00:01Z'),
        }),
      ),
    ).toBe('2026-07-01T13:00:00.000Z');
  });
});

describe('scheduleProblems', () => {
  it('accepts a five-field expression and a known zone', () => {
    expect(scheduleProblems('*/5 9-17 * * 1-5', 'Europe/Berlin')).toEqual([]);
  });

  it('names what is wrong', () => {
    expect(scheduleProblems('61 * * * *', 'UTC')).toEqual([
      { path: 'cron', message: expect.stringMatching(/not a valid cron expression/) },
    ]);
    expect(scheduleProblems('0 * * * * *', 'UTC')).toEqual([
      { path: 'cron', message: 'needs 5 fields (minute hour day-of-month month day-of-week), got 6' },
    ]);
    expect(scheduleProblems('0 * * * *', 'Mars/Olympus')).toEqual([
      { path: 'timezone', message: expect.stringMatching(/not a known IANA time zone/) },
    ]);
  });
});
