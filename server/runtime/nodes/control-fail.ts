import 'server-only';
import { z } from 'zod';
import { defineNode } from '@/server/runtime/nodes/node-descriptor';
import { exprOr } from '@/model/definition/expression-value';

/** Same shape as the platform's codes (VALIDATION, HTTP…), so retry policies and catch blocks can match them. */
export const ZErrorCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'use UPPER_SNAKE_CASE, e.g. INVOICE_REJECTED');

export const ZControlFailConfig = z
  .object({
    code: exprOr(ZErrorCode),
    message: exprOr(z.string().trim().min(1, 'say what went wrong').max(2000)),
  })
  .strict();

export const controlFail = defineNode('control.fail', {
  configSchema: ZControlFailConfig,
  outputSchema: z.never().describe('Never produces output'),
  async execute({ config, resolve }) {
    const code = await resolve(config.code, 'code');
    const message = String(await resolve(config.message, 'message'));
    // A computed code is held to the same shape as a literal one, so retry policies and catch
    // blocks can rely on it (a missing field must not become the code "undefined").
    if (!ZErrorCode.safeParse(code).success) {
      return {
        kind: 'fail',
        input: { code, message },
        error: {
          code: 'VALIDATION',
          message: `code: the expression must produce an UPPER_SNAKE_CASE code such as INVOICE_REJECTED, not ${JSON.stringify(code) ?? 'nothing'}`,
          retryable: false,
        },
      };
    }
    return { kind: 'fail', input: { code, message }, error: { code: String(code), message, retryable: false } };
  },
});
