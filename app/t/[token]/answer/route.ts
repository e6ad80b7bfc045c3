import { NextResponse } from 'next/server';
import { getDb } from '@/server/db/database';
import { publicBaseUrl } from '@/server/security/public-origin';
import { answerByTaskLink } from '@/server/tasks/task-links';

export const dynamic = 'force-dynamic';

/**
 * The confirmation page's POST: answers with the link's outcome as the person it was sent to
 * (the token is the authority, so no session is needed), then back to the page, which shows
 * the link spent, or the reason it was refused.
 */
export async function POST(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const result = await answerByTaskLink({ db: getDb(), token });
  const page = new URL(`${publicBaseUrl()}/t/${encodeURIComponent(token)}`);
  if (result.kind === 'refused') page.searchParams.set('refused', result.message);
  return NextResponse.redirect(page, 303);
}
