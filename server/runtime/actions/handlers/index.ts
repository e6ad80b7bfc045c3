import 'server-only';
import { actionRef, ACTION_REFS, type TActionRef } from '@/server/runtime/actions/action-descriptor';
import type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';
import { coreEchoHandler } from '@/server/runtime/actions/handlers/core-echo-handler';
import { readEgressAllowList } from '@/server/runtime/actions/handlers/egress-from-env';
import { DEFAULT_MAIL_FROM, emailSendHandler } from '@/server/runtime/actions/handlers/email-send-handler';
import { eventsEmitHandler } from '@/server/runtime/actions/handlers/events-emit-handler';
import { httpRequestHandler } from '@/server/runtime/actions/handlers/http-request-handler';
import { webhookSendHandler } from '@/server/runtime/actions/handlers/webhook-send-handler';
import { egressPoolFromEnv } from '@/server/security/egress-connection-pool';
import { traceparentFor } from '@/server/tracing/trace-ids';
import { applyHttpConnection } from '@/server/connections/apply-http-connection';
import { postgresQueryHandler } from '@/server/runtime/actions/handlers/postgres-query-handler';
import { llmChatHandler } from '@/server/runtime/actions/handlers/llm-chat-handler';
import { mcpCallToolHandler } from '@/server/runtime/actions/handlers/mcp-call-tool-handler';

export type { TActionHandler, TActionInvocation } from '@/server/runtime/actions/handlers/action-handler';

// The environment is read on every call, so an operator's change applies without a restart.

const httpRequestFromEnv: TActionHandler = async (given) => {
  const applied = await applyHttpConnection({ input: given.input, invocation: given.invocation });
  if ('error' in applied) return applied;
  const args = { ...given, input: applied.input };
  const egress = readEgressAllowList();
  // Masking changes exactly the values that hold a secret (in any encoding it knows).
  const holdsSecret = (value: string) => args.invocation.maskSecrets(value) !== value;
  return 'error' in egress
    ? egress
    : httpRequestHandler({
        ...args,
        allow: egress.allow,
        holdsSecret,
        beforeSend: args.invocation.assertLeaseHeld,
        traceparent: traceparentFor(args.invocation),
        stageArtifact: args.invocation.stageArtifact,
        // Keep-alive per tenant: a step's call skips the TCP and TLS setup, never the egress check.
        pool: egressPoolFromEnv(args.invocation.tenantId),
      });
};

const webhookSendFromEnv: TActionHandler = async (args) => {
  const egress = readEgressAllowList();
  return 'error' in egress
    ? egress
    : webhookSendHandler({
        ...args,
        allow: egress.allow,
        beforeSend: args.invocation.assertLeaseHeld,
        traceparent: traceparentFor(args.invocation),
        pool: egressPoolFromEnv(args.invocation.tenantId),
      });
};

const emailSendFromEnv: TActionHandler = async (args) => {
  const egress = readEgressAllowList();
  if ('error' in egress) return egress;
  const smtpUrl = process.env.SMTP_URL?.trim() || undefined;
  return emailSendHandler({
    ...args,
    allow: egress.allow,
    smtpUrl,
    from: process.env.SMTP_FROM?.trim() || DEFAULT_MAIL_FROM,
  });
};

/** One handler per built-in action ref; a ref without one does not compile. */
export const ACTION_HANDLERS = {
  'core.echo@1': coreEchoHandler,
  'http.request@1': httpRequestFromEnv,
  'webhook.send@1': webhookSendFromEnv,
  'email.send@1': emailSendFromEnv,
  'events.emit@1': eventsEmitHandler,
  'postgres.query@1': postgresQueryHandler,
  'llm.chat@1': llmChatHandler,
  'mcp.callTool@1': mcpCallToolHandler,
} as const satisfies Record<TActionRef, TActionHandler>;

function isActionRef(ref: string): ref is TActionRef {
  return (ACTION_REFS as readonly string[]).includes(ref);
}

/** The handler of `id` at `version`, or null when no such action version exists. */
export function getActionHandler(id: string, version: number): TActionHandler | null {
  const ref = actionRef(id, version);
  return isActionRef(ref) ? ACTION_HANDLERS[ref] : null;
}
