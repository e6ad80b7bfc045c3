import { z } from 'zod';

/** The kinds of connection (SPEC §11); the database CHECK lists the same names. */
export const CONNECTION_TYPES = ['http', 'smtp', 'postgres', 'openai', 'mcp'] as const;
export type TConnectionType = (typeof CONNECTION_TYPES)[number];
export const ZConnectionType = z.enum(CONNECTION_TYPES);

/** The JSON Schema keyword on an action input naming a connection: its value is the connection type. */
export const CONNECTION_PICKER_KEY = 'x-pipewright-connection';

export const CONNECTION_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
export const ZConnectionName = z
  .string()
  .regex(CONNECTION_NAME_PATTERN, 'use 1–128 letters, digits, dots, dashes or underscores');

const MESSAGE_HTTP = 'must be an absolute http:// or https:// URL';
const hasHttpScheme = (value: string) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
const ZBaseUrl = z.string().max(2048).refine(hasHttpScheme, MESSAGE_HTTP);
/** A secret field: refused empty and shorter than 4 characters, as secrets are (a shorter value could not be masked). */
const ZSecretField = z
  .string()
  .min(4, 'at least 4 characters')
  .max(16 * 1024);
const ZHeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid header name');
const ZHeaderValue = z
  .string()
  .min(1)
  .max(8192)
  .refine((value) => !/[\r\n]/.test(value), 'must not contain line breaks');

export const HTTP_AUTH_KINDS = ['none', 'bearer', 'basic', 'header', 'query'] as const;
export const ZHttpAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('bearer'), token: ZSecretField }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1).max(256), password: ZSecretField }).strict(),
  z.object({ type: z.literal('header'), name: ZHeaderName, value: ZSecretField }).strict(),
  z.object({ type: z.literal('query'), name: z.string().min(1).max(128), value: ZSecretField }).strict(),
]);
export type THttpAuth = z.infer<typeof ZHttpAuth>;

export const ZHttpConnectionConfig = z
  .object({ baseUrl: ZBaseUrl, auth: ZHttpAuth.default({ type: 'none' }) })
  .strict();

export const ZSmtpConnectionConfig = z
  .object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535).default(587),
    /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    username: z.string().max(256).optional(),
    password: ZSecretField.optional(),
    from: z.string().max(320).optional(),
  })
  .strict();

export const ZPostgresConnectionConfig = z
  .object({
    connectionString: z
      .string()
      .max(4096)
      .refine(
        (value) => /^postgres(ql)?:\/\//i.test(value) && URL.canParse(value),
        'must be a postgres:// or postgresql:// URL',
      ),
  })
  .strict();

export const ZModelPrice = z
  .object({ inputPerMillion: z.number().min(0).max(1e6), outputPerMillion: z.number().min(0).max(1e6) })
  .strict();
export const ZOpenAiConnectionConfig = z
  .object({
    baseUrl: ZBaseUrl,
    apiKey: ZSecretField,
    /** USD per million tokens, by model name: what `costUsd` is computed from. */
    prices: z.record(z.string().min(1).max(200), ZModelPrice).optional(),
  })
  .strict();

export const ZMcpConnectionConfig = z
  .object({ url: ZBaseUrl, headers: z.record(ZHeaderName, ZHeaderValue).optional() })
  .strict();

const named = { name: ZConnectionName, description: z.string().max(500).optional() };
/** `{ name, type, description?, config }` as POST /connections takes it; `config` is checked against its type. */
export const ZPutConnectionInput = z.discriminatedUnion('type', [
  z.object({ ...named, type: z.literal('http'), config: ZHttpConnectionConfig }).strict(),
  z.object({ ...named, type: z.literal('smtp'), config: ZSmtpConnectionConfig }).strict(),
  z.object({ ...named, type: z.literal('postgres'), config: ZPostgresConnectionConfig }).strict(),
  z.object({ ...named, type: z.literal('openai'), config: ZOpenAiConnectionConfig }).strict(),
  z.object({ ...named, type: z.literal('mcp'), config: ZMcpConnectionConfig }).strict(),
]);
export type TPutConnectionInput = z.infer<typeof ZPutConnectionInput>;
/** A connection's type with its full config, secrets included: what the runtime works with. */
export type TConnectionConfig = TPutConnectionInput extends infer T
  ? T extends unknown
    ? Omit<T, 'name' | 'description'>
    : never
  : never;
export type THttpConnectionConfig = z.infer<typeof ZHttpConnectionConfig>;
export type TSmtpConnectionConfig = z.infer<typeof ZSmtpConnectionConfig>;
export type TPostgresConnectionConfig = z.infer<typeof ZPostgresConnectionConfig>;
export type TOpenAiConnectionConfig = z.infer<typeof ZOpenAiConnectionConfig>;
export type TModelPrice = z.infer<typeof ZModelPrice>;
export type TMcpConnectionConfig = z.infer<typeof ZMcpConnectionConfig>;

export const CONNECTION_TYPE_LABELS = {
  http: 'HTTP API',
  smtp: 'SMTP server',
  postgres: 'PostgreSQL',
  openai: 'OpenAI-compatible LLM',
  mcp: 'MCP server',
} as const satisfies Record<TConnectionType, string>;
