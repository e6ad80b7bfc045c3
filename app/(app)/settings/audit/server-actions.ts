'use server';

import { z } from 'zod';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { listAuditEntries, ZAuditFilters } from '@/server/audit/list-audit-entries';

export const loadAuditPageAction = defineServerAction(
  {
    permission: 'audit.read',
    input: z.object({ cursor: z.string().min(1).max(200), filters: ZAuditFilters.default({}) }),
  },
  ({ db, ctx, input }) => listAuditEntries({ db, ctx, cursor: input.cursor, filters: input.filters }),
);
