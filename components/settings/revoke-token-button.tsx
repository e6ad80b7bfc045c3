'use client';

import { revokeApiTokenAction } from '@/app/(app)/settings/tokens/server-actions';
import { ConfirmActionButton } from '@/components/ui/confirm-action-button';

export function RevokeTokenButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmActionButton
      action={revokeApiTokenAction}
      input={{ id }}
      label="Revoke"
      ariaLabel={`Revoke ${name}`}
      title={`Revoke "${name}"?`}
      description="Anything using this token is refused from the next request on. This cannot be undone."
      confirmLabel="Revoke token"
    />
  );
}
