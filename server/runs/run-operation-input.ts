import 'server-only';
import { z } from 'zod';
import { ZRunId } from '@/server/runs/run-record';

/** Why an operator acted; kept in the run's event and the audit log. */
export const ZReason = z.string().trim().max(500).optional();

export const ZRunOperationBody = z.object({ reason: ZReason });
export const ZRunOperation = ZRunOperationBody.extend({ id: ZRunId });
export type TRunOperationInput = z.input<typeof ZRunOperation>;

/** What an operation left the run as: changed now, or asked of the worker that holds it. */
export const ZRunOperationResult = z.object({ runId: z.string(), status: z.string(), requested: z.boolean() });
export type TRunOperationResult = z.infer<typeof ZRunOperationResult>;
