import 'server-only';
import { cache } from 'react';
import { redirect } from 'next/navigation';
import { getSessionContext } from '@/server/auth/authorize';
import type { TAuthContext } from '@/server/auth/context';

/**
 * The signed-in context of the page being rendered, read once per render: the shell's layout
 * and the page both need it, and each read decodes the session and looks up the membership
 * (a database round trip). React's `cache` lasts one server render, so a revoked session or
 * membership is still seen on the next request.
 */
export const pageSessionContext = cache((): Promise<TAuthContext | null> => getSessionContext());

/**
 * The signed-in context for a page, or a redirect to the sign-in page that comes back here.
 * Pages pass their own path because a server component cannot read the request URL.
 */
export async function requirePageContext(path: string): Promise<TAuthContext> {
  const ctx = await pageSessionContext();
  if (!ctx) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  return ctx;
}
