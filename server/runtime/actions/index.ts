import 'server-only';
import {
  ACTION_REFS,
  actionRef,
  type TActionDescriptor,
  type TActionRef,
} from '@/server/runtime/actions/action-descriptor';
import { coreEcho } from '@/server/runtime/actions/core-echo';
import { emailSend } from '@/server/runtime/actions/email-send';
import { eventsEmit } from '@/server/runtime/actions/events-emit';
import { httpRequest } from '@/server/runtime/actions/http-request';
import { webhookSend } from '@/server/runtime/actions/webhook-send';
import { postgresQuery } from '@/server/runtime/actions/postgres-query';
import { llmChat } from '@/server/runtime/actions/llm-chat';
import { mcpCallTool } from '@/server/runtime/actions/mcp-call-tool';

/** One descriptor per built-in action ref. */
export type TCompleteActionRegistry = Record<TActionRef, TActionDescriptor>;

/** Every built-in action version by `id@version`; a ref in ACTION_REFS without a descriptor does not compile. */
export const ACTION_REGISTRY = {
  'core.echo@1': coreEcho,
  'http.request@1': httpRequest,
  'webhook.send@1': webhookSend,
  'email.send@1': emailSend,
  'events.emit@1': eventsEmit,
  'postgres.query@1': postgresQuery,
  'llm.chat@1': llmChat,
  'mcp.callTool@1': mcpCallTool,
} as const satisfies TCompleteActionRegistry;

function isActionRef(ref: string): ref is TActionRef {
  return (ACTION_REFS as readonly string[]).includes(ref);
}

/** The descriptor of `id` at `version`, or null when no such action version exists. */
export function getActionDescriptor(id: string, version: number): TActionDescriptor | null {
  const ref = actionRef(id, version);
  return isActionRef(ref) ? ACTION_REGISTRY[ref] : null;
}

/** The versions of action `id`, ascending (empty when the action does not exist). */
export function listActionVersions(id: string): number[] {
  return Object.values(ACTION_REGISTRY)
    .filter((descriptor: TActionDescriptor) => descriptor.id === id)
    .map((descriptor) => descriptor.version)
    .sort((a, b) => a - b);
}
