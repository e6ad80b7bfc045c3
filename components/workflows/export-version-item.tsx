'use client';

import { exportVersionAction } from '@/app/(app)/workflows/server-actions';
import { DropdownMenuItem } from '@/components/ui/dropdown-menu';

/** Downloads a JSON text the server built as a file. */
export function downloadJson(filename: string, json: string): void {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * A menu item exporting one version as the import format (with the workflow's tags). A draft
 * says it is the draft: a draft-only workflow has no published "v1" to offer.
 */
export function ExportVersionItem({
  workflowKey,
  version,
  draft,
  onError,
}: {
  workflowKey: string;
  version: number;
  draft: boolean;
  onError: (message: string) => void;
}) {
  return (
    <DropdownMenuItem
      onSelect={async () => {
        const result = await exportVersionAction({ key: workflowKey, version });
        if (!result.ok) return onError(result.error.message);
        downloadJson(result.data.filename, result.data.json);
      }}
    >
      {draft ? 'Export draft JSON' : `Export JSON (v${version}, published)`}
    </DropdownMenuItem>
  );
}
