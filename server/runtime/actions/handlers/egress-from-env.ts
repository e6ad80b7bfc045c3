import 'server-only';
import { AppError } from '@/model/errors';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import { parseEgressAllowList, type TEgressAllowList } from '@/server/security/egress-allowlist';

type TReadAllowList = { allow: TEgressAllowList } | { error: TStepError };

/** The last value read and what it parsed to: parsing (CIDRs, hostnames) on every outbound step was waste. */
let lastRead: { raw: string | undefined; result: TReadAllowList } | null = null;

/**
 * PIPEWRIGHT_EGRESS_ALLOW, read on every call rather than once at start, so a test or an
 * operator's restart-free change applies; a bad value fails the step with CONFIG instead of
 * crashing the worker. Parsed again only when the value differs from the last one read.
 */
export function readEgressAllowList(): TReadAllowList {
  const raw = process.env.PIPEWRIGHT_EGRESS_ALLOW;
  if (lastRead && lastRead.raw === raw) return lastRead.result;
  let result: TReadAllowList;
  try {
    result = { allow: parseEgressAllowList(raw) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    result = { error: { code: error.code, message: error.message, retryable: false } };
  }
  lastRead = { raw, result };
  return result;
}
