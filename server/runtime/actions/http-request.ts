import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';
import { ZHttpUrl } from '@/server/runtime/actions/http-url';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** RFC 9110 token characters: anything else is not a header name a server would accept. */
export const ZHeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid header name');
/** CR/LF would let a value smuggle extra headers into the request. */
export const ZHeaderValue = z.string().max(8192).refine((value) => !/[\r\n]/.test(value), 'must not contain line breaks');

export const ZHttpRequestInput = z
  .object({
    method: z.enum(HTTP_METHODS),
    url: ZHttpUrl,
    headers: z.record(ZHeaderName, ZHeaderValue).optional(),
    /** Appended to the URL's own query string. */
    query: z.record(z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Objects and arrays are sent as JSON; strings as they are. */
    body: z.unknown().optional(),
    timeoutMs: z.number().int().min(1).max(300_000).optional(),
  })
  .strict();

export const ZHttpRequestOutput = z.object({
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string()),
  /** Parsed JSON when the response says it is JSON, else the text. */
  body: z.unknown(),
});

export const httpRequest = defineAction({
  id: 'http.request',
  version: 1,
  title: 'HTTP request',
  description: 'Sends an HTTP request and returns the status, headers and body; server errors and rate limits are retried.',
  icon: 'globe',
  category: 'http',
  inputSchema: ZHttpRequestInput,
  outputSchema: ZHttpRequestOutput,
});
