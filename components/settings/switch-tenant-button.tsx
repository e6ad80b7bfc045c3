'use client';

import { useRouter } from 'next/navigation';
import { switchTenantAction } from '@/app/(app)/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';

export function SwitchTenantButton({ slug, name }: { slug: string; name: string }) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(switchTenantAction);
  return (
    <span className="inline-flex items-center gap-2">
      {error && (
        <span role="alert" className="text-[13px] text-danger">
          {error.message}
        </span>
      )}
      <Button
        size="sm"
        onClick={() => run({ slug }, () => router.refresh())}
        loading={pending}
        aria-label={`Switch to ${name}`}
      >
        Switch
      </Button>
    </span>
  );
}
