import type { z } from 'zod';
import { PipewrightApiError, PipewrightConnectionError } from './api-error';
import { OPERATIONS, ZRunEvent, type TOperation, type TRunEvent } from './operations';
import { readEventStream } from './read-event-stream';

/** Run statuses after which nothing more happens (SPEC §5). */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

type TOperations = typeof OPERATIONS;
type TOperationName = keyof TOperations;
type TResponseOf<N extends TOperationName> = TOperations[N] extends { response: z.ZodTypeAny }
  ? z.infer<TOperations[N]['response']>
  : undefined;
type TCallOptions = {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
};

export type TClientOptions = {
  /** The app's address, e.g. `https://pipewright.example.com` (with or without `/api/v1`). */
  url: string;
  /** An API token, `pw_…`. */
  token: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof fetch;
  /** Sent as User-Agent, so the audit trail and logs can tell scripts apart. */
  userAgent?: string;
};

/** The API's base, `<origin>/api/v1`, from what a person types (`localhost:3000`, `https://x/`, `…/api/v1`). */
export function apiBase(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch (error) {
    throw new PipewrightConnectionError(`"${url}" is not a URL.`, { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PipewrightConnectionError(`"${url}" is not an http(s) URL.`);
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${parsed.origin}${path}/api/v1`;
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`The path ${path} needs {${name}}.`);
    return encodeURIComponent(String(value));
  });
}

/**
 * A small typed client for /api/v1: one method per operation the CLI uses, responses checked
 * with the schemas in operations.ts, errors as PipewrightApiError (the server said no) or
 * PipewrightConnectionError (no answer, or not the API's).
 *
 * @example
 * const client = new PipewrightClient({ url: 'http://localhost:3000', token: process.env.PIPEWRIGHT_TOKEN! });
 * const { runId } = await client.startRun('invoice-approval', { input: { amount: 120 } });
 */
export class PipewrightClient {
  readonly base: string;
  private readonly token: string;
  private readonly fetchImpl: typeof fetch;
  private readonly userAgent: string;

  constructor(options: TClientOptions) {
    this.base = apiBase(options.url);
    this.token = options.token;
    this.fetchImpl = options.fetch ?? fetch;
    this.userAgent = options.userAgent ?? 'pipewright-client';
  }

  private async send(operation: TOperation, options: TCallOptions, accept = 'application/json'): Promise<Response> {
    const url = new URL(`${this.base}${fillPath(operation.path, options.params)}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept,
      'user-agent': this.userAgent,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      response = await this.fetchImpl(url, { method: operation.method, headers, body });
    } catch (error) {
      const reason = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      const detail = reason?.code ?? reason?.message ?? (error as Error).message;
      throw new PipewrightConnectionError(`Could not reach ${this.base} (${detail}).`, { cause: error });
    }
    if (!response.ok) throw await this.errorOf(response);
    return response;
  }

  private async errorOf(response: Response): Promise<Error> {
    const body = parseJsonOrNull(await response.text()) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    } | null;
    const error = body?.error;
    if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
      const where = `${response.url || this.base} answered ${response.status}`;
      return new PipewrightConnectionError(`${where}, not with Pipewright's error body: is this the right URL?`);
    }
    return new PipewrightApiError(response.status, error.code, error.message, error.details);
  }

  /** Calls one operation by name and returns its checked response. */
  async call<N extends TOperationName>(name: N, options: TCallOptions = {}): Promise<TResponseOf<N>> {
    const operation: TOperation = OPERATIONS[name];
    const response = await this.send(operation, options);
    if (!operation.response || response.status === 204) return undefined as TResponseOf<N>;
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new PipewrightConnectionError(`${operation.method} ${operation.path} did not answer JSON.`, {
        cause: error,
      });
    }
    const parsed = operation.response.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
      throw new PipewrightConnectionError(
        `${operation.method} ${operation.path} answered something this client does not understand (${where}).`,
      );
    }
    return parsed.data as TResponseOf<N>;
  }

  listTenants() {
    return this.call('listTenants');
  }

  /** Every workflow of the tenant, all pages. */
  async listAllWorkflows() {
    const all: TResponseOf<'listWorkflows'>['items'] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call('listWorkflows', { query: { limit: 200, cursor } });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  getWorkflow(key: string) {
    return this.call('getWorkflow', { params: { key } });
  }

  getVersion(key: string, version: number) {
    return this.call('getVersion', { params: { key, n: version } });
  }

  /** Saves a version document as the workflow's draft, creating the workflow when its key is new. */
  importDocument(document: Record<string, unknown>) {
    return this.call('importWorkflow', { body: document });
  }

  publishVersion(key: string, version: number) {
    return this.call('publishVersion', { params: { key, n: version } });
  }

  startRun(key: string, body: z.input<typeof OPERATIONS.startWorkflowRun.body>) {
    return this.call('startWorkflowRun', { params: { key }, body });
  }

  getRun(id: string) {
    return this.call('getRun', { params: { id } });
  }

  listRunEvents(id: string, after = 0) {
    return this.call('listRunEvents', { params: { id }, query: { after, limit: 500 } });
  }

  /**
   * A run's events after `after`, live: the server's SSE stream, which ends once the run has
   * finished and every event is sent. A stream that breaks off or closes while the run is still
   * going is opened again from the last event seen (as EventSource would), up to 3 times in a row
   * without news. Stop early with `signal` or by leaving the loop.
   */
  async *followRunEvents(
    id: string,
    { after = 0, signal }: { after?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<TRunEvent> {
    let cursor = after;
    let quietReconnects = 0;
    for (;;) {
      const response = await this.send(
        OPERATIONS.listRunEvents,
        { params: { id }, query: { after: cursor } },
        'text/event-stream',
      );
      if (!response.body) throw new PipewrightConnectionError('The event stream came without a body.');
      try {
        for await (const message of readEventStream(response.body)) {
          if (signal?.aborted) return;
          const event = ZRunEvent.parse(JSON.parse(message.data)) as TRunEvent;
          cursor = event.seq;
          quietReconnects = 0;
          yield event;
        }
      } catch (error) {
        if (!(error instanceof PipewrightConnectionError)) throw error;
      }
      if (signal?.aborted) return;
      if (TERMINAL_STATUSES.has((await this.getRun(id)).status)) {
        // Ended: whatever the last stream missed is read once more, then done.
        for (const event of (await this.listRunEvents(id, cursor)).items) yield event as TRunEvent;
        return;
      }
      quietReconnects += 1;
      if (quietReconnects > 3)
        throw new PipewrightConnectionError(`The event stream of run ${id} keeps closing early.`);
    }
  }
}
