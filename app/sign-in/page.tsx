import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Workflow } from 'lucide-react';
import { SignInForm } from '@/components/auth/sign-in-form';
import { safeCallbackUrl } from '@/components/auth/safe-callback-url';
import { getSessionContext } from '@/server/auth/authorize';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl);
  if (await getSessionContext()) redirect(callbackUrl);
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-2.5">
          <span className="flex size-8 items-center justify-center rounded-md bg-accent text-accent-ink">
            <Workflow className="size-4.5" aria-hidden />
          </span>
          <span className="text-lg font-semibold tracking-tight">Pipewright</span>
        </div>
        <div className="rounded-lg border border-line bg-surface p-6 shadow-sm">
          <h1 className="text-base font-semibold">Sign in</h1>
          <p className="mt-1 mb-5 text-sm text-ink-muted">Use the email and password your admin gave you.</p>
          <SignInForm callbackUrl={callbackUrl} />
        </div>
      </div>
    </main>
  );
}
