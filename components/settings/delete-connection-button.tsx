'use client';

import { deleteConnectionAction } from '@/app/(app)/settings/connections/server-actions';
import { ConfirmActionButton } from '@/components/ui/confirm-action-button';

export function DeleteConnectionButton({ name, usedBy }: { name: string; usedBy: number }) {
  return (
    <ConfirmActionButton
      action={deleteConnectionAction}
      input={{ name }}
      label="Delete"
      ariaLabel={`Delete ${name}`}
      title={`Delete connection "${name}"?`}
      description={
        usedBy > 0
          ? `${usedBy === 1 ? '1 workflow uses' : `${usedBy} workflows use`} it: their steps that name it will fail with CONNECTION_MISSING. The credentials cannot be recovered.`
          : 'No workflow uses it. The credentials cannot be recovered.'
      }
      confirmLabel="Delete connection"
    />
  );
}
