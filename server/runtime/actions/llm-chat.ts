import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';
import { ZConnectionName } from '@/model/connections/connection-config';

export const LLM_CHAT_ROLES = ['system', 'user', 'assistant'] as const;
export const LLM_DEFAULT_TIMEOUT_MS = 120_000;

export const ZLlmChatInput = z
  .object({
    connection: ZConnectionName.describe('An openai connection (any OpenAI-compatible server).'),
    model: z.string().min(1).max(200),
    messages: z
      .array(z.object({ role: z.enum(LLM_CHAT_ROLES), content: z.string().max(1_000_000) }).strict())
      .min(1)
      .max(500),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
    json: z
      .boolean()
      .optional()
      .describe(
        'Ask for a JSON object (response_format json_object) and parse it into `json`; a non-JSON answer fails the step.',
      ),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict();

export const ZLlmChatOutput = z.object({
  content: z.string(),
  json: z.unknown().optional(),
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }),
  /** From the connection's prices for the model; 0 when it names none. */
  costUsd: z.number(),
  model: z.string().optional(),
  finishReason: z.string().optional(),
});

export const llmChat = defineAction({
  id: 'llm.chat',
  version: 1,
  title: 'LLM chat',
  description:
    "Sends messages to an OpenAI-compatible /v1/chat/completions on an openai connection and returns the answer, its token usage and costUsd (from the connection's prices). " +
    'json: true asks for a JSON object and parses it. 429 and 5xx are retryable (Retry-After honoured); other 4xx are not.',
  icon: 'sparkles',
  category: 'ai',
  inputSchema: ZLlmChatInput,
  outputSchema: ZLlmChatOutput,
  connectionType: 'openai',
});
