import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';
import { isHttpUrl, ZHttpUrl } from '@/server/runtime/actions/http-url';
import { ZConnectionName } from '@/model/connections/connection-config';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** RFC 9110 token characters: anything else is not a header name a server would accept. */
export const ZHeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid header name');
/** CR/LF would let a value smuggle extra headers into the request. */
export const ZHeaderValue = z
  .string()
  .max(8192)
  .refine((value) => !/[\r\n]/.test(value), 'must not contain line breaks');

export const ZHttpRequestInput = z
  .object({
    /** An http connection (SPEC §11): its auth is added, and `url` may be a path under its baseUrl. */
    connection: ZConnectionName.optional().describe(
      'An http connection: its auth is added, and the URL may then be a path under its baseUrl.',
    ),
    method: z.enum(HTTP_METHODS),
    url: z.string().max(8192),
    headers: z.record(ZHeaderName, ZHeaderValue).optional(),
    /** Appended to the URL's own query string. */
    query: z.record(z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Objects and arrays are sent as JSON; strings as they are. */
    body: z.unknown().optional(),
    timeoutMs: z.number().int().min(1).max(300_000).optional(),
    /**
     * "artifact": the response body is stored as a file of the run (SPEC §11, up to
     * PIPEWRIGHT_ARTIFACT_MAX_BYTES) and `body` holds its reference instead of the bytes.
     */
    saveBodyAs: z
      .enum(['artifact'])
      .optional()
      .describe(
        'Set to "artifact" to store the response body as a file of the run (listed on the run page, downloadable); body then holds { $artifact: { id, name, contentType, size } }.',
      ),
    artifactName: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe(
        "The stored file's name; default: the response's Content-Disposition filename, else the URL's last path segment.",
      ),
  })
  .strict()
  .superRefine((input, context) => {
    // Without a connection the URL must say where to go; with one, httpConnectionUrl decides.
    if (input.artifactName !== undefined && input.saveBodyAs === undefined)
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['artifactName'],
        message: 'artifactName names the file saveBodyAs: "artifact" stores; set saveBodyAs too',
      });
    if (input.connection !== undefined || isHttpUrl(input.url)) return;
    const checked = ZHttpUrl.safeParse(input.url);
    for (const issue of checked.success ? [] : checked.error.issues)
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: issue.message });
  });

/**
 * How `body` holds the response: parsed JSON, text, `{ base64, contentType }` for bytes that
 * are not text, or `{ $artifact }` for a body stored as a file (saveBodyAs).
 */
export const HTTP_BODY_ENCODINGS = ['json', 'text', 'base64', 'artifact'] as const;
export type THttpBodyEncoding = (typeof HTTP_BODY_ENCODINGS)[number];

export const ZHttpRequestOutput = z.object({
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string()),
  /**
   * Parsed JSON when the response says it is JSON and it can be stored; else the text as
   * received (also JSON whose strings hold \u0000, which PostgreSQL cannot store parsed); bytes
   * that are not text (an image, a PDF, text containing NUL) as `{ base64, contentType }`.
   */
  body: z.unknown(),
  /** Always set by this version; absent from outputs recorded before it existed. */
  bodyEncoding: z.enum(HTTP_BODY_ENCODINGS).optional(),
});

export const httpRequest = defineAction({
  id: 'http.request',
  version: 1,
  title: 'HTTP request',
  description:
    'Sends an HTTP request and returns the status, headers and body; server errors and rate limits are retried (Retry-After honoured up to max(maxDelayMs, 1 h)). ' +
    'bodyEncoding says how body holds the response: "json" (parsed), "text" (as received; also JSON containing \\u0000), "base64" ({ base64, contentType }, for bytes that are not text), or "artifact" (saveBodyAs: "artifact": the body stored as a file of the run, body = { $artifact: { id, name, contentType, size } }). ' +
    'JSON nested deeper than 64 levels fails the step (VALIDATION, not retried).',
  icon: 'globe',
  category: 'http',
  inputSchema: ZHttpRequestInput,
  outputSchema: ZHttpRequestOutput,
  connectionType: 'http',
});
