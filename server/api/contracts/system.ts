import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';

export const ZHealth = z.object({ ok: z.boolean(), db: z.boolean(), queue: z.boolean() });

export const getHealthContract = defineContract({
  operationId: 'getHealth',
  method: 'GET',
  path: '/health',
  summary: 'Liveness of the API, its database and the job queue (a worker heartbeat within 30 s)',
  tag: 'System',
  permission: null,
  response: ZHealth,
});

export const getOpenApiContract = defineContract({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  summary: 'This document',
  tag: 'System',
  permission: null,
  response: z.record(z.unknown()),
});
