import { z } from 'zod';

/*
 * What the client sends and reads, per operation of /api/v1. Schemas name only the fields the
 * client relies on and let the rest through, so a server that adds fields never breaks it;
 * cli/client/operations.test.ts holds each one against the OpenAPI document the server builds,
 * so a route that moves, or a field the client reads that the server stops sending, fails there.
 */

const page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ZApiProblem = z.object({ stepId: z.string().nullable(), path: z.string(), message: z.string() });
export type TApiProblem = z.infer<typeof ZApiProblem>;

export const ZWorkflow = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()).default([]),
    status: z.string(),
    latestVersion: z.number().int().nullable(),
    draftVersion: z.number().int().nullable(),
  })
  .passthrough();
export type TWorkflow = z.infer<typeof ZWorkflow>;

/** A version document as the server returns it; its shape is the server's to check. */
export const ZDocument = z.object({ key: z.string() }).passthrough();
export type TDocument = z.infer<typeof ZDocument>;

export const ZImported = z.object({
  key: z.string(),
  version: z.number().int(),
  createdWorkflow: z.boolean(),
  problems: z.array(ZApiProblem.extend({ severity: z.string() })),
});
export const ZPublished = z.object({
  version: z.number().int(),
  publishedAt: z.string(),
  warnings: z.array(ZApiProblem),
});

export const ZStartRunBody = z.object({
  input: z.unknown().optional(),
  version: z.number().int().optional(),
  idempotencyKey: z.string().optional(),
});
export const ZStartedRun = z.object({ runId: z.string(), status: z.string() }).passthrough();

export const ZRun = z
  .object({
    id: z.string(),
    workflowKey: z.string(),
    version: z.number().int(),
    status: z.string(),
    output: z.unknown(),
    error: z.unknown(),
  })
  .passthrough();
export type TRun = z.infer<typeof ZRun>;

export const ZRunEvent = z
  .object({ seq: z.number().int(), type: z.string(), at: z.string(), data: z.unknown() })
  .passthrough();
export type TRunEvent = z.infer<typeof ZRunEvent> & { stepId?: string | null };
export const ZRunEvents = z.object({ items: z.array(ZRunEvent), nextAfter: z.number().int(), runStatus: z.string() });

export const ZTenant = z.object({ slug: z.string(), name: z.string(), role: z.string(), current: z.boolean() });

export type TOperation = {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: z.ZodTypeAny;
  response?: z.ZodTypeAny;
};

/** Every operation the client calls, by the server's operationId. */
export const OPERATIONS = {
  listTenants: { operationId: 'listTenants', method: 'GET', path: '/tenants', response: page(ZTenant) },
  listWorkflows: { operationId: 'listWorkflows', method: 'GET', path: '/workflows', response: page(ZWorkflow) },
  getWorkflow: { operationId: 'getWorkflow', method: 'GET', path: '/workflows/{key}', response: ZWorkflow },
  getVersion: { operationId: 'getVersion', method: 'GET', path: '/workflows/{key}/versions/{n}', response: ZDocument },
  importWorkflow: {
    operationId: 'importWorkflow',
    method: 'POST',
    path: '/workflows/import',
    body: ZDocument,
    response: ZImported,
  },
  publishVersion: {
    operationId: 'publishVersion',
    method: 'POST',
    path: '/workflows/{key}/versions/{n}/publish',
    response: ZPublished,
  },
  startWorkflowRun: {
    operationId: 'startWorkflowRun',
    method: 'POST',
    path: '/workflows/{key}/runs',
    body: ZStartRunBody,
    response: ZStartedRun,
  },
  getRun: { operationId: 'getRun', method: 'GET', path: '/runs/{id}', response: ZRun },
  listRunEvents: { operationId: 'listRunEvents', method: 'GET', path: '/runs/{id}/events', response: ZRunEvents },
} as const satisfies Record<string, TOperation>;
