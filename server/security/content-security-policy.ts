import 'server-only';
/**
 * The Content-Security-Policy of a page, built per request around a fresh nonce.
 *
 * - Scripts: only those carrying this response's nonce (Next.js puts it on its own inline
 *   and chunk scripts when it finds the policy on the request), and what they load
 *   ('strict-dynamic'). No 'unsafe-inline', and 'unsafe-eval' only under `next dev`, whose
 *   React rebuilds server error stacks with eval.
 * - Styles: 'unsafe-inline'. React renders `style` attributes, and the designer's libraries
 *   add style elements at run time (@hello-pangea/dnd's drag styles, Radix's scroll lock,
 *   @xyflow/react's node positions); a nonce would have to reach each of them, and style
 *   attributes cannot carry one at all. CSS cannot run script, and React escapes everything
 *   we render, so what this leaves open needs an HTML injection the script policy already
 *   makes toothless.
 * - Nothing may frame a page ('frame-ancestors none'), plugins are off, <base> and form
 *   targets cannot leave the origin, and connections (the SSE run stream) stay on it.
 */
export function pageContentSecurityPolicy({
  nonce,
  development,
  https,
}: {
  nonce: string;
  development: boolean;
  https: boolean;
}): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${development ? ' ws: wss:' : ''}`,
    // The outbox shows an email's HTML in a sandboxed srcdoc frame, which is same-origin content.
    "frame-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/** JSON and streams need no policy beyond "load nothing, and never in a frame". */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers every response carries, pages, API and static files alike (next.config.mjs sets them too). */
export const BASELINE_SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  // For browsers that predate frame-ancestors; CSP wins where both are understood.
  'X-Frame-Options': 'DENY',
} as const;
