'use client';

import { Download, Network, Play, Redo2, Rows3, Undo2, Upload } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { exportVersionAction } from '@/app/(app)/workflows/server-actions';
import type { TDraftBase, TSaveState } from '@/components/designer/canvas/use-draft-autosave';
import { Badge } from '@/components/ui/badge';
import { Button, buttonClasses } from '@/components/ui/button';
import { cx } from '@/components/ui/cx';
import type { TOpenCheck } from '@/components/designer/canvas/use-live-check';

export type TDesignerView = 'pipe' | 'graph';

type TToolbarProps = {
  workflowKey: string;
  readOnly: boolean;
  canRun: boolean;
  saveState: TSaveState;
  base: TDraftBase;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  view: TDesignerView;
  onView: (view: TDesignerView) => void;
  problemCount: number;
  /** The check of the document as opened: until it answers, no problem count is shown. */
  openCheck: TOpenCheck;
  onToggleProblems: () => void;
  onPublish: () => void;
  publishing: boolean;
  flush: () => Promise<boolean>;
};

function SaveStatus({ state }: { state: TSaveState }) {
  switch (state.kind) {
    case 'saved':
      return <span className="text-ink-muted">Saved</span>;
    case 'dirty':
      return <span className="text-ink-muted">Unsaved changes</span>;
    case 'saving':
      return <span className="text-ink-muted">Saving…</span>;
    case 'failed':
      return <span className="text-danger">Not saved: {state.message}</span>;
    case 'conflict':
      return (
        <span className="flex flex-wrap items-center gap-2 text-danger">
          Not saved: someone else (or another tab) saved this draft first. Reload to get their version; your edits here
          are not written over theirs.
          <Button size="sm" onClick={() => window.location.reload()}>
            Reload
          </Button>
        </span>
      );
  }
}

/** Undo/redo, the pipe/graph toggle, save state, problems, export, run and publish. */
export function DesignerToolbar(props: TToolbarProps) {
  const { workflowKey, readOnly, canRun, saveState, base, view } = props;
  const [exportError, setExportError] = useState<string | null>(null);
  const onExport = async () => {
    setExportError(null);
    if (!readOnly && !(await props.flush())) return setExportError('Save the draft before exporting it.');
    if (base.version === null) return setExportError('Nothing saved yet to export.');
    const result = await exportVersionAction({ key: workflowKey, version: base.version });
    if (!result.ok) return setExportError(result.error.message);
    const url = URL.createObjectURL(new Blob([result.data.json], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = result.data.filename;
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div role="toolbar" aria-label="Designer" className="flex min-w-0 flex-wrap items-center gap-2">
      {!readOnly && (
        <>
          <Button
            size="sm"
            variant="ghost"
            onClick={props.onUndo}
            disabled={!props.canUndo}
            aria-label="Undo"
            title="Undo (Ctrl+Z)"
          >
            <Undo2 className="size-4" aria-hidden />
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={props.onRedo}
            disabled={!props.canRedo}
            aria-label="Redo"
            title="Redo (Ctrl+Shift+Z)"
          >
            <Redo2 className="size-4" aria-hidden />
          </Button>
        </>
      )}
      <div className="flex rounded-md border border-line-strong p-0.5" role="group" aria-label="View">
        {(['pipe', 'graph'] as const).map((option) => (
          <button
            key={option}
            type="button"
            aria-pressed={view === option}
            onClick={() => props.onView(option)}
            className={cx(
              'inline-flex h-7 items-center gap-1.5 rounded px-2 text-[13px]',
              view === option ? 'bg-accent-soft text-accent' : 'text-ink-muted hover:text-ink',
            )}
          >
            {option === 'pipe' ? (
              <Rows3 className="size-3.5" aria-hidden />
            ) : (
              <Network className="size-3.5" aria-hidden />
            )}
            {option === 'pipe' ? 'Pipe' : 'Graph'}
          </button>
        ))}
      </div>
      <span className="flex items-center gap-2 text-[13px]" aria-live="polite" data-testid="save-state">
        {base.version !== null && (
          <Badge tone={base.status === 'published' ? 'success' : 'warning'}>{`v${base.version} ${base.status}`}</Badge>
        )}
        {readOnly ? <span className="text-ink-muted">Read only for your role</span> : <SaveStatus state={saveState} />}
      </span>
      <span className="ml-auto flex flex-wrap items-center gap-2">
        {props.openCheck !== 'checked' && (
          // Not a status role: the designer's notices are the page's status messages.
          <span data-testid="open-check" className="text-[13px] text-ink-faint">
            {props.openCheck === 'checking'
              ? 'Checking for problems…'
              : 'Not checked for problems yet: edit a step or publish to check'}
          </span>
        )}
        {props.problemCount > 0 && (
          <Button size="sm" variant="ghost" onClick={props.onToggleProblems} className="text-danger">
            {props.problemCount} problem{props.problemCount === 1 ? '' : 's'}
          </Button>
        )}
        <Button size="sm" onClick={() => void onExport()}>
          <Download className="size-4" aria-hidden />
          Export
        </Button>
        {canRun && (
          <Link href={`/workflows/${workflowKey}/triggers?run=1`} className={buttonClasses('secondary', 'sm')}>
            <Play className="size-4" aria-hidden />
            Run
          </Link>
        )}
        {!readOnly && (
          <Button
            size="sm"
            variant="primary"
            onClick={props.onPublish}
            loading={props.publishing}
            disabled={saveState.kind === 'conflict'}
          >
            <Upload className="size-4" aria-hidden />
            Publish
          </Button>
        )}
      </span>
      {exportError && <p className="basis-full text-[13px] text-danger">{exportError}</p>}
    </div>
  );
}
