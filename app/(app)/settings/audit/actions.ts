'use server';

import { z } from 'zod';
import { defineAction } from '@/server/actions/define-action';
import { listAuditEntries } from '@/server/audit/list-audit-entries';

export const loadAuditPageAction = defineAction({ permission: 'audit.read', input: z.object({ cursor: z.string().min(1).max(200) }) }, ({ db, ctx, input }) =>
  listAuditEntries({ db, ctx, cursor: input.cursor }),
);
