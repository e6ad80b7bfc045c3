import { AppError } from '@/server/errors';
import { actionRef, ACTION_REFS, type TActionRef } from '@/server/runtime/actions/action-descriptor';
import type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';
import { coreEchoHandler } from '@/server/runtime/actions/handlers/core-echo-handler';
import { httpRequestHandler } from '@/server/runtime/actions/handlers/http-request-handler';
import { parseEgressAllowList, type TEgressAllowList } from '@/server/security/egress-allowlist';

export type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';

/**
 * Read on every call rather than once at start, so a test or an operator's restart-free
 * change applies; a bad value fails the step with CONFIG instead of crashing the worker.
 */
function readEgressAllowList(): TEgressAllowList | AppError {
  try {
    return parseEgressAllowList(process.env.PIPEWRIGHT_EGRESS_ALLOW);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

const httpRequestFromEnv: TActionHandler = async (args) => {
  const allow = readEgressAllowList();
  if (allow instanceof AppError) return { error: { code: allow.code, message: allow.message, retryable: false } };
  return httpRequestHandler({ ...args, allow });
};

/** The handlers that exist so far; an action without one cannot run yet. */
export const ACTION_HANDLERS: Partial<Record<TActionRef, TActionHandler>> = {
  'core.echo@1': coreEchoHandler,
  'http.request@1': httpRequestFromEnv,
};

function isActionRef(ref: string): ref is TActionRef {
  return (ACTION_REFS as readonly string[]).includes(ref);
}

/** The handler of `id` at `version`, or null when the action version does not exist or has none yet. */
export function getActionHandler(id: string, version: number): TActionHandler | null {
  const ref = actionRef(id, version);
  return isActionRef(ref) ? (ACTION_HANDLERS[ref] ?? null) : null;
}
