'use client';

import { FlaskConical, Pin, PinOff } from 'lucide-react';
import Link from 'next/link';
import { useId, useState } from 'react';
import { startTestRunAction } from '@/app/(app)/workflows/testing-server-actions';
import { useDesignerTesting } from '@/components/designer/testing/testing-context';
import { runLabel, useRecentRuns } from '@/components/designer/testing/use-recent-runs';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';

const TEXTAREA =
  'w-full rounded-md border border-line-strong bg-surface px-2.5 py-2 font-mono text-[12px] leading-5 text-ink focus-visible:border-accent aria-[invalid=true]:border-danger';

/** The designer's testing controls beside its toolbar: Run draft, Pin run…, and the pinned run's banner. */
export function TestingToolbar() {
  const testing = useDesignerTesting();
  if (!testing) return null;
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2" data-testid="testing-toolbar">
      {!testing.readOnly && testing.canRun && <RunDraftButton />}
      <PinRunButton />
      {testing.pinned && (
        <span className="flex min-w-0 flex-wrap items-center gap-2 text-[13px] text-ink" data-testid="pinned-banner">
          <Pin className="size-3.5 text-accent" aria-hidden />
          Pinned run{' '}
          <Link className="font-mono text-[12px] text-accent underline" href={`/runs/${testing.pinned.runId}`}>
            {testing.pinned.runId.slice(0, 8)}
          </Link>
          <Badge tone={testing.pinned.status === 'SUCCEEDED' ? 'success' : 'neutral'}>{testing.pinned.status}</Badge>
          {testing.pinned.test && <Badge tone="accent">Test</Badge>}
          {testing.pinned.partial && <span className="text-ink-muted">(first steps only)</span>}
          <Button size="sm" variant="ghost" onClick={testing.unpin}>
            <PinOff className="size-4" aria-hidden />
            Unpin
          </Button>
        </span>
      )}
      {testing.pinError && (
        <p role="alert" className="basis-full text-[13px] text-danger">
          {testing.pinError}
        </p>
      )}
    </div>
  );
}

function RunDraftButton() {
  const testing = useDesignerTesting();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [input, setInput] = useState('{}');
  const [mock, setMock] = useState(true);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<{ runId: string; version: number } | null>(null);
  if (!testing) return null;

  const start = async () => {
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (thrown) {
      return setError(`Input is not valid JSON: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    }
    setPending(true);
    try {
      const version = await testing.saveDraft();
      if (version === null) return setError('The draft is not saved, so it cannot run yet.');
      const result = await startTestRunAction({ key: testing.workflowKey, version, input: parsed, mockActions: mock });
      if (!result.ok) {
        const fields = Object.entries(result.error.fields ?? {});
        const details = fields.map(([path, message]) => `${path}: ${message}`).join('; ');
        return setError(details ? `${result.error.message} ${details}` : result.error.message);
      }
      setStarted({ runId: result.data.runId, version: result.data.version });
      setOpen(false);
    } catch (thrown) {
      console.error('[designer] run draft failed:', thrown);
      setError('Could not reach the server to start the run. Try again.');
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)}>
        <FlaskConical className="size-4" aria-hidden />
        Run draft
      </Button>
      {started && (
        <span className="flex flex-wrap items-center gap-2 text-[13px] text-success" role="status">
          Test run of v{started.version} started.
          <Link className="text-accent underline" href={`/runs/${started.runId}`}>
            Open the test run
          </Link>
          <button type="button" className="text-accent underline" onClick={() => testing.pinRun(started.runId)}>
            Pin it
          </button>
        </span>
      )}
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Run the draft"
        description="A real run of the draft as it is now, marked as a test run. It keeps its own copy of the draft, so later edits do not change it."
        size="lg"
      >
        <div className="flex flex-col gap-3">
          <Label htmlFor={`${id}-input`}>Input (JSON, checked against the draft’s inputs)</Label>
          <textarea
            id={`${id}-input`}
            rows={6}
            value={input}
            onChange={(event) => setInput(event.target.value)}
            className={TEXTAREA}
            spellCheck={false}
          />
          <label className="flex items-center gap-1.5 text-[13px] text-ink">
            <input type="checkbox" checked={mock} onChange={(event) => setMock(event.target.checked)} />
            Mock outside effects (emails, HTTP calls answer null and are not made)
          </label>
          {!mock && (
            <p className="text-[13px] text-warning">
              Outside effects will happen for real: emails are sent, calls made.
            </p>
          )}
          {error && (
            <p role="alert" className="text-[13px] break-words text-danger">
              {error}
            </p>
          )}
        </div>
        <DialogFooter>
          <Button variant="ghost" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button variant="primary" onClick={() => void start()} loading={pending}>
            Start test run
          </Button>
        </DialogFooter>
      </Dialog>
    </>
  );
}

function PinRunButton() {
  const testing = useDesignerTesting();
  const [open, setOpen] = useState(false);
  const recent = useRecentRuns(testing?.workflowKey ?? '');
  if (!testing) return null;
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        loading={testing.pinning}
        onClick={() => {
          setOpen(true);
          recent.load();
        }}
      >
        <Pin className="size-4" aria-hidden />
        Pin run…
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Pin a run"
        description="Each step then shows what it received and produced on that run; the field picker and Try it use its values."
      >
        {recent.error && <p className="text-[13px] text-danger">{recent.error}</p>}
        {recent.runs === null && !recent.error && <p className="text-[13px] text-ink-faint">Loading runs…</p>}
        {recent.runs?.length === 0 && <p className="text-[13px] text-ink-faint">This workflow has no runs yet.</p>}
        <ul className="flex flex-col gap-1" aria-label="Recent runs">
          {recent.runs?.map((run) => (
            <li key={run.id}>
              <button
                type="button"
                className="w-full rounded px-2 py-1.5 text-left text-[13px] break-words text-ink hover:bg-subtle"
                onClick={() => {
                  testing.pinRun(run.id);
                  setOpen(false);
                }}
              >
                {runLabel(run)}
              </button>
            </li>
          ))}
        </ul>
      </Dialog>
    </>
  );
}
