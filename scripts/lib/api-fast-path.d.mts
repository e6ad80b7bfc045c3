import type { IncomingMessage, ServerResponse } from 'node:http';

/** A route's exported method, as Next.js calls it. */
export type TRouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;

export type TFastRoute = {
  method: string;
  pattern: RegExp;
  /** The compiled route module under the dist dir. */
  module: string;
  params: (match: RegExpExecArray) => Record<string, string>;
};

export const FAST_PATH_MAX_BODY: number;
export const FAST_ROUTES: TFastRoute[];

export function matchFastRoute(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  routes?: TFastRoute[],
): { route: TFastRoute; params: Record<string, string> } | null;

export function toWebRequest(request: IncomingMessage, response: ServerResponse, body: Buffer): Request;

export function sendWebResponse(webResponse: Response, response: ServerResponse): Promise<void>;

export function answerFast(args: {
  request: IncomingMessage;
  response: ServerResponse;
  handler: TRouteHandler;
  params: Record<string, string>;
}): Promise<void>;

export function installApiFastPath(options?: { distDir?: string; routes?: TFastRoute[] }): void;
