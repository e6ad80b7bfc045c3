import 'server-only';
import { z } from 'zod';
import type { TAuditFilters } from '@/server/audit/list-audit-entries';

const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * The audit page's URL filters (`actor`, `action`, `target`, `from`, `to` as UTC days) as
 * listAuditEntries takes them: `to` is inclusive, so it becomes the start of the next day.
 * A value that does not parse is dropped and named, not a crash.
 */
export function auditFiltersFromSearch(search: Record<string, string | undefined>): {
  filters: TAuditFilters;
  ignored: string[];
} {
  const filters: TAuditFilters = {};
  const ignored: string[] = [];
  const text = (name: string, max: number) => {
    const value = search[name]?.trim();
    if (!value) return undefined;
    if (value.length > max) ignored.push(name);
    return value.length > max ? undefined : value;
  };
  filters.actor = text('actor', 200);
  filters.action = text('action', 100);
  filters.targetType = text('target', 50);
  for (const name of ['from', 'to'] as const) {
    const value = search[name];
    if (!value) continue;
    const day = ZDay.safeParse(value);
    const time = day.success ? Date.parse(`${value}T00:00:00Z`) : NaN;
    if (Number.isNaN(time)) {
      ignored.push(name);
      continue;
    }
    filters[name] = new Date(name === 'to' ? time + 86_400_000 : time).toISOString();
  }
  return { filters, ignored };
}
