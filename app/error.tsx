'use client';

import { useEffect } from 'react';
import { Button } from '@/components/ui/button';

/** A page that crashed: say so plainly and offer a retry; the details are in the server log. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error('[page] render failed:', error);
  }, [error]);
  return (
    <main className="flex min-h-[60dvh] flex-col items-center justify-center gap-2 px-4 text-center">
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p className="max-w-sm text-sm text-ink-muted">
        The page could not be shown. Try again; if it keeps failing, the server log has the details
        {error.digest ? ` (reference ${error.digest})` : ''}.
      </p>
      <Button variant="primary" className="mt-4" onClick={reset}>
        Try again
      </Button>
    </main>
  );
}
