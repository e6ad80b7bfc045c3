import type { Metadata } from 'next';
import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';

export const metadata: Metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-2 px-4 text-center">
      <p className="text-sm font-medium text-accent">404</p>
      <h1 className="text-xl font-semibold">This page does not exist</h1>
      <p className="max-w-sm text-sm text-ink-muted">
        The link may be old, or the thing it pointed to belongs to another tenant.
      </p>
      <Link href="/workflows" className={`${buttonClasses('secondary')} mt-4`}>
        Back to Workflows
      </Link>
    </main>
  );
}
