import 'server-only';
import { AppError } from '@/model/errors';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import { parseEgressAllowList, type TEgressAllowList } from '@/server/security/egress-allowlist';

/**
 * PIPEWRIGHT_EGRESS_ALLOW, read on every call rather than once at start, so a test or an
 * operator's restart-free change applies; a bad value fails the step with CONFIG instead of
 * crashing the worker.
 */
export function readEgressAllowList(): { allow: TEgressAllowList } | { error: TStepError } {
  try {
    return { allow: parseEgressAllowList(process.env.PIPEWRIGHT_EGRESS_ALLOW) };
  } catch (error) {
    if (error instanceof AppError) return { error: { code: error.code, message: error.message, retryable: false } };
    throw error;
  }
}
