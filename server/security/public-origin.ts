import 'server-only';
import { port } from '@/server/config';

/**
 * Where people reach the app: NEXTAUTH_URL (the public URL, set by `npm start` and required
 * behind a proxy), else localhost on PORT. Everything that must know "our own origin" reads it
 * here and never from the request's Host or X-Forwarded-Host, which the client controls.
 */
export function publicBaseUrl(): string {
  return (process.env.NEXTAUTH_URL ?? `http://localhost:${port()}`).replace(/\/+$/, '');
}

/** The public URL's origin (`https://pipewright.example.com`), the one same-origin checks compare with. */
export function publicOrigin(): string {
  return new URL(publicBaseUrl()).origin;
}

/** Whether people reach the app over https, so cookies must be `Secure`. */
export function servedOverHttps(): boolean {
  return publicBaseUrl().startsWith('https://');
}
