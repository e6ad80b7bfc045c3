import 'server-only';
import type { z } from 'zod';
import type { TPermission } from '@/model/roles';
import type { AppErrorCode } from '@/model/errors';

export type THttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One API operation: its route, who may call it, and the zod schemas of what goes in and
 * out. Route handlers are built from contracts and the OpenAPI document lists them, so a
 * route and its documentation cannot drift apart.
 */
export type TContract = {
  operationId: string;
  method: THttpMethod;
  /** OpenAPI-style path under /api/v1, e.g. `/secrets/{name}`. */
  path: string;
  summary: string;
  tag: string;
  /** null for routes that authenticate themselves (health, webhooks). */
  permission: TPermission | null;
  params?: z.AnyZodObject;
  query?: z.AnyZodObject;
  body?: z.ZodTypeAny;
  response?: z.ZodTypeAny;
  successStatus?: 200 | 201 | 202 | 204;
  errors?: AppErrorCode[];
};

export function defineContract<const C extends TContract>(contract: C): C {
  return contract;
}
