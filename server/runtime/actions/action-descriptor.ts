import 'server-only';
import type { z } from 'zod';
import type { TConnectionType } from '@/model/connections/connection-config';

/** Every built-in action of SPEC §4.4, as `id@version`. */
export const ACTION_REFS = [
  'core.echo@1',
  'http.request@1',
  'webhook.send@1',
  'email.send@1',
  'events.emit@1',
  'postgres.query@1',
  'llm.chat@1',
  'mcp.callTool@1',
] as const;
export type TActionRef = (typeof ACTION_REFS)[number];

export const ACTION_CATEGORIES = ['core', 'http', 'messaging', 'events', 'data', 'ai'] as const;
export type TActionCategory = (typeof ACTION_CATEGORIES)[number];

/**
 * What the platform knows about an action version: the zod schemas of its resolved input
 * and its output, and palette metadata. The handler (input, AbortSignal, idempotency key)
 * joins the descriptor in the runtime.
 */
export type TActionDescriptor<I extends z.ZodTypeAny = z.ZodTypeAny, O extends z.ZodTypeAny = z.ZodTypeAny> = {
  id: string;
  version: number;
  title: string;
  description: string;
  icon: string;
  category: TActionCategory;
  inputSchema: I;
  outputSchema: O;
  /** The type of connection its `connection` input names (SPEC §11), for the designer's picker. */
  connectionType?: TConnectionType;
};

export function defineAction<I extends z.ZodTypeAny, O extends z.ZodTypeAny>(
  descriptor: TActionDescriptor<I, O>,
): TActionDescriptor<I, O> {
  return descriptor;
}

export function actionRef(id: string, version: number): string {
  return `${id}@${version}`;
}
