import 'server-only';
import type { z } from 'zod';
import { LLM_DEFAULT_TIMEOUT_MS, ZLlmChatInput, type ZLlmChatOutput } from '@/server/runtime/actions/llm-chat';
import type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';
import { openStepConnection } from '@/server/runtime/actions/handlers/open-step-connection';
import { fetchStepError, responseStepError } from '@/server/runtime/actions/handlers/http-step-error';
import { openAiUrl } from '@/server/connections/openai-url';
import { recordLlmUsage } from '@/server/llm/llm-usage';
import type { TStepError } from '@/server/runtime/nodes/node-result';
import { egressPoolFromEnv } from '@/server/security/egress-connection-pool';
import { guardedFetch } from '@/server/security/guarded-fetch';
import { GuardedFetchError } from '@/server/security/guarded-fetch-error';
import { traceparentFor } from '@/server/tracing/trace-ids';
import type { TModelPrice } from '@/model/connections/connection-config';

type TLlmChatOutput = z.infer<typeof ZLlmChatOutput>;
type TCompletion = {
  model?: string;
  choices?: Array<{ message?: { content?: string | null }; finish_reason?: string }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { message?: string };
};

const invalid = (message: string, details?: Record<string, unknown>): { error: TStepError } => ({
  error: { code: 'LLM', message, retryable: false, ...(details ? { details } : {}) },
});

/** USD for the tokens at the model's price (per million), rounded to a millionth of a dollar. */
export function costUsdOf(price: TModelPrice | undefined, inputTokens: number, outputTokens: number): number {
  if (!price) return 0;
  const cost = (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
  return Math.round(cost * 1e6) / 1e6;
}

/** The provider's own error message from a 4xx body, when it sent one (OpenAI's `{ error: { message } }`). */
function providerMessage(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as TCompletion;
    const message = parsed.error?.message;
    return typeof message === 'string' ? message.slice(0, 500) : null;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/**
 * llm.chat@1 (SPEC §11) against `<baseUrl>/v1/chat/completions` through guardedFetch. Not pure
 * (a call is billed): the step's RUNNING record is durable before it, the ledger answers a
 * repeat, and the step's idempotency key goes out as Idempotency-Key. 429/5xx and network
 * errors are retryable with Retry-After (the interpreter's durable retry waits it out); a 4xx
 * fails with the provider's message. Every answered call is recorded in llm_usage.
 */
export const llmChatHandler: TActionHandler = async ({ input: raw, signal, idempotencyKey, invocation }) => {
  const opened = await openStepConnection({
    raw,
    schema: ZLlmChatInput,
    action: 'llm.chat@1',
    type: 'openai',
    invocation,
  });
  if ('error' in opened) return opened;
  const { input } = opened;
  const { baseUrl, apiKey, prices } = opened.connection.config;
  const url = openAiUrl(baseUrl, 'chat/completions');
  const body = {
    model: input.model,
    messages: input.messages,
    ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
    ...(input.maxTokens === undefined ? {} : { max_tokens: input.maxTokens }),
    ...(input.json ? { response_format: { type: 'json_object' } } : {}),
  };
  const traceparent = traceparentFor(invocation);
  let response;
  try {
    response = await guardedFetch({
      url,
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'Idempotency-Key': idempotencyKey,
        ...(traceparent ? { traceparent } : {}),
      },
      body: JSON.stringify(body),
      signal,
      timeoutMs: input.timeoutMs ?? LLM_DEFAULT_TIMEOUT_MS,
      allow: opened.allow,
      holdsSecret: (value) => value.includes(apiKey),
      beforeSend: invocation.assertLeaseHeld,
      pool: egressPoolFromEnv(invocation.tenantId),
    });
  } catch (error) {
    if (error instanceof GuardedFetchError) return { error: fetchStepError(error) };
    throw error;
  }
  if (response.status >= 400) {
    const stepError = responseStepError('POST', url, response);
    const said = providerMessage(response.body);
    return { error: { ...stepError, message: said ? `${stepError.message}: ${said}` : stepError.message } };
  }
  let completion: TCompletion;
  try {
    completion = JSON.parse(response.body.toString('utf8')) as TCompletion;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return invalid(`${new URL(url).host} answered ${response.status} with a body that is not JSON`);
  }
  const choice = completion.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string')
    return invalid(`${new URL(url).host} answered without a message (choices[0].message.content)`);
  const inputTokens = Math.max(0, Math.trunc(completion.usage?.prompt_tokens ?? 0));
  const outputTokens = Math.max(0, Math.trunc(completion.usage?.completion_tokens ?? 0));
  const price = prices?.[input.model] ?? (completion.model ? prices?.[completion.model] : undefined);
  const costUsd = costUsdOf(price, inputTokens, outputTokens);
  // Billed whether or not the answer is usable below: recorded first.
  await recordLlmUsage({
    db: invocation.db,
    tenantId: invocation.tenantId,
    runId: invocation.runId,
    stepPath: invocation.stepPath,
    model: completion.model ?? input.model,
    inputTokens,
    outputTokens,
    costUsd,
  });
  const output: TLlmChatOutput = {
    content,
    usage: { inputTokens, outputTokens },
    costUsd,
    ...(completion.model ? { model: completion.model } : {}),
    ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
  };
  if (!input.json) return { output };
  let json: unknown;
  try {
    json = JSON.parse(content) as unknown;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return invalid(`The model was asked for JSON but answered text that does not parse: ${error.message}`, {
      content: content.slice(0, 500),
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return invalid('The model was asked for a JSON object but answered another JSON value.', {
      content: content.slice(0, 500),
    });
  return { output: { ...output, json } };
};
