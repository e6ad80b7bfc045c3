'use client';

import { RotateCcw, Trash2 } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { discardDraftAction, restoreVersionAction } from '@/app/(app)/workflows/[key]/versions/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';

type TVersionRow = { version: number; status: 'draft' | 'published'; revision: number };

/**
 * A version row's changes: a published version can be restored as the draft (replacing the
 * open draft, which is said first), the draft can be discarded. Both ask, name what they
 * replace or delete, and send the draft revision the page shows, so a save made meanwhile in
 * the designer is not lost unseen.
 */
export function VersionRowActions({
  workflowKey,
  version,
  draft,
}: {
  workflowKey: string;
  version: TVersionRow;
  draft: { version: number; revision: number } | null;
}) {
  const router = useRouter();
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const restore = useServerAction(restoreVersionAction);
  const discard = useServerAction(discardDraftAction);
  const action = version.status === 'published' ? restore : discard;
  const close = () => {
    setAsking(false);
    action.reset();
  };
  const confirm = () => {
    if (version.status === 'published')
      restore.run({ key: workflowKey, version: version.version, expectedRevision: draft?.revision }, (saved) => {
        setAsking(false);
        setDone(`Restored as draft v${saved.version}.`);
        router.refresh();
      });
    else
      discard.run({ key: workflowKey, expectedRevision: version.revision }, () => {
        setAsking(false);
        router.refresh();
      });
  };
  return (
    <>
      {version.status === 'published' ? (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => setAsking(true)}
          aria-label={`Restore v${version.version} as the draft`}
        >
          <RotateCcw className="size-3.5" aria-hidden />
          Restore
        </Button>
      ) : (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => setAsking(true)}
          aria-label={`Discard draft v${version.version}`}
        >
          <Trash2 className="size-3.5" aria-hidden />
          Discard
        </Button>
      )}
      {done && (
        <span role="status" className="ml-1 text-[12px] text-success">
          {done}{' '}
          <Link href={`/workflows/${workflowKey}`} className="font-medium underline">
            Open the designer
          </Link>
        </span>
      )}
      <ConfirmDialog
        open={asking}
        onOpenChange={(open) => (open ? setAsking(true) : close())}
        title={
          version.status === 'published'
            ? `Restore v${version.version} as the draft?`
            : `Discard draft v${version.version}?`
        }
        description={
          version.status === 'published'
            ? draft
              ? `Draft v${draft.version} is replaced by the steps and settings of v${version.version}. Published versions do not change.`
              : `A new draft starts from the steps and settings of v${version.version}. Published versions do not change.`
            : `Its ${version.revision} save${version.revision === 1 ? '' : 's'} are deleted; the designer opens the latest published version again. This cannot be undone.`
        }
        confirmLabel={version.status === 'published' ? 'Restore as draft' : 'Discard draft'}
        pending={action.pending}
        error={action.error?.message}
        onConfirm={confirm}
      />
    </>
  );
}
