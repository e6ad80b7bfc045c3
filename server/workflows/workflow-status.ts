import 'server-only';
import { z } from 'zod';

/** A workflow is active, or archived (kept with its versions, hidden from pickers). */
export const WORKFLOW_STATUSES = ['active', 'archived'] as const;
export type TWorkflowStatus = (typeof WORKFLOW_STATUSES)[number];
export const ZWorkflowStatus = z.enum(WORKFLOW_STATUSES);
