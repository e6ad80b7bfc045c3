'use client';

import { deleteSecretAction } from '@/app/(app)/settings/secrets/server-actions';
import { ConfirmActionButton } from '@/components/ui/confirm-action-button';

export function DeleteSecretButton({ name }: { name: string }) {
  return (
    <ConfirmActionButton
      action={deleteSecretAction}
      input={{ name }}
      label="Delete"
      ariaLabel={`Delete ${name}`}
      title={`Delete secret "${name}"?`}
      description="Workflows that reference it will fail at the step that needs it. The value cannot be recovered."
      confirmLabel="Delete secret"
    />
  );
}
