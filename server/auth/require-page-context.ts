import 'server-only';
import { redirect } from 'next/navigation';
import { getSessionContext } from '@/server/auth/authorize';
import type { TAuthContext } from '@/server/auth/context';

/**
 * The signed-in context for a page, or a redirect to the sign-in page that comes back here.
 * Pages pass their own path because a server component cannot read the request URL.
 */
export async function requirePageContext(path: string): Promise<TAuthContext> {
  const ctx = await getSessionContext();
  if (!ctx) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  return ctx;
}
