'use client';

import { FlaskConical } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { testStepAction } from '@/app/(app)/workflows/testing-server-actions';
import { JsonBlock } from '@/components/designer/testing/json-block';
import { usePinnedStep, useDesignerTesting } from '@/components/designer/testing/testing-context';
import { runLabel, useRecentRuns } from '@/components/designer/testing/use-recent-runs';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import type { TTestStepResult } from '@/server/workflows/test-step';

const TEXTAREA =
  'w-full rounded-md border border-line-strong bg-surface px-2.5 py-2 font-mono text-[12px] leading-5 text-ink focus-visible:border-accent aria-[invalid=true]:border-danger';

const TONE: Record<TTestStepResult['status'], TBadgeTone> = {
  SUCCEEDED: 'success',
  FAILED: 'danger',
  WAITING: 'warning',
};

type TSource = 'sample' | 'run';

/**
 * "Test step" (SPEC §9) in the step panel: saves the draft, then runs this step (a block with
 * everything inside it) on sample data or on the envelope a recent run had before it, with
 * outside effects mocked unless switched off. Nothing is written to runs.
 */
export function TestStepSection({ stepId }: { stepId: string }) {
  const testing = useDesignerTesting();
  const pinnedStep = usePinnedStep(stepId);
  const id = useId();
  const [source, setSource] = useState<TSource>('sample');
  const [sample, setSample] = useState('{\n  "payload": {},\n  "vars": {}\n}');
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [runId, setRunId] = useState('');
  const [mock, setMock] = useState(true);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<TTestStepResult | null>(null);
  const recent = useRecentRuns(testing?.workflowKey ?? '');

  // A pinned run's envelope is the best sample there is: start from it.
  const pinnedEnvelope = pinnedStep?.envelope ?? null;
  useEffect(() => {
    if (pinnedEnvelope)
      setSample(JSON.stringify({ payload: pinnedEnvelope.payload, vars: pinnedEnvelope.vars }, null, 2));
  }, [pinnedEnvelope]);
  const { load } = recent;
  useEffect(() => {
    if (source === 'run' && recent.runs === null) load();
  }, [source, recent.runs, load]);

  if (!testing || testing.readOnly) return null;

  const test = async () => {
    setError(null);
    setSampleError(null);
    setResult(null);
    let body: Record<string, unknown>;
    if (source === 'sample') {
      try {
        const parsed: unknown = JSON.parse(sample);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new SyntaxError('the sample must be a JSON object with payload and vars');
        body = { envelope: parsed, mockActions: mock };
      } catch (thrown) {
        setSampleError(`Sample data is not valid JSON: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
        return;
      }
    } else {
      if (!runId) return setError('Pick a run to test on.');
      body = { fromRun: runId, mockActions: mock };
    }
    setPending(true);
    setResult(null);
    try {
      const version = await testing.saveDraft();
      if (version === null) return setError('The draft is not saved, so it cannot be tested yet.');
      const answer = await testStepAction({ key: testing.workflowKey, version, stepId, body });
      if (answer.ok) setResult(answer.data);
      else setError(answer.error.message);
    } catch (thrown) {
      console.error('[designer] test step failed:', thrown);
      setError('Could not reach the server to test the step. Try again.');
    } finally {
      setPending(false);
    }
  };

  const runOptions = (recent.runs ?? []).map((run) => ({ value: run.id, label: runLabel(run) }));
  return (
    <section className="flex min-w-0 flex-col gap-3" aria-label="Test step" data-testid="test-step">
      <div className="flex min-w-0 flex-wrap items-center gap-2" role="radiogroup" aria-label="Test on">
        {(['sample', 'run'] as const).map((option) => (
          <label key={option} className="flex items-center gap-1.5 text-[13px] text-ink">
            <input type="radio" name={`${id}-source`} checked={source === option} onChange={() => setSource(option)} />
            {option === 'sample' ? 'Sample data' : 'A recent run'}
          </label>
        ))}
      </div>
      {source === 'sample' ? (
        <div className="flex min-w-0 flex-col gap-1">
          <Label htmlFor={`${id}-sample`}>Envelope (payload, vars)</Label>
          <textarea
            id={`${id}-sample`}
            rows={5}
            value={sample}
            onChange={(event) => setSample(event.target.value)}
            className={TEXTAREA}
            aria-invalid={Boolean(sampleError)}
            spellCheck={false}
          />
          {sampleError && <p className="text-[13px] text-danger">{sampleError}</p>}
        </div>
      ) : (
        <div className="flex min-w-0 flex-col gap-1">
          <Label htmlFor={`${id}-run`}>Run (the envelope it had before this step)</Label>
          {recent.error && <p className="text-[13px] text-danger">{recent.error}</p>}
          {recent.runs?.length === 0 ? (
            <p className="text-[13px] text-ink-faint">This workflow has no runs yet.</p>
          ) : (
            <Select
              id={`${id}-run`}
              value={runId}
              onValueChange={setRunId}
              options={runOptions}
              aria-label="Run to test on"
              className="w-full"
            />
          )}
        </div>
      )}
      <label className="flex items-center gap-1.5 text-[13px] text-ink">
        <input type="checkbox" checked={mock} onChange={(event) => setMock(event.target.checked)} />
        Mock outside effects (emails, HTTP calls answer null)
      </label>
      <div>
        <Button size="sm" onClick={() => void test()} loading={pending}>
          <FlaskConical className="size-4" aria-hidden />
          Test step
        </Button>
      </div>
      {error && (
        <p role="alert" className="text-[13px] text-danger">
          {error}
        </p>
      )}
      {result && <TestStepResult result={result} />}
    </section>
  );
}

function TestStepResult({ result }: { result: TTestStepResult }) {
  const assigned = Object.entries(result.assigned);
  return (
    <div className="flex min-w-0 flex-col gap-2" data-testid="test-step-result" aria-live="polite">
      <p className="flex flex-wrap items-center gap-2 text-[13px] text-ink">
        <Badge tone={TONE[result.status]}>{result.status}</Badge>
        {result.mocked.length > 0 && (
          <span className="text-ink-muted">
            Mocked: {result.mocked.map((call) => `${call.stepId} (${call.action})`).join(', ')}
          </span>
        )}
      </p>
      {result.error && (
        <p className="text-[13px] break-words text-danger">
          {result.error.code}: {result.error.message}
        </p>
      )}
      <p className="text-xs font-semibold text-ink-faint">Output</p>
      <JsonBlock value={result.output} label="Test output" />
      {assigned.length > 0 && (
        <>
          <p className="text-xs font-semibold text-ink-faint">Assigned</p>
          <JsonBlock value={result.assigned} label="Assigned vars" />
        </>
      )}
      {result.waits.length > 0 && (
        <p className="text-[13px] text-ink-muted">
          Would wait: {result.waits.map((wait) => wait.stepId).join(', ')} (nothing is created by a test).
        </p>
      )}
      {result.steps.length > 1 && (
        <>
          <p className="text-xs font-semibold text-ink-faint">Steps</p>
          <ul className="flex flex-col gap-1 text-[13px]" aria-label="Steps of the test">
            {result.steps.map((step) => (
              <li key={`${step.path}#${step.attempt}`} className="flex min-w-0 items-center gap-2">
                <code className="min-w-0 truncate font-mono text-[12px]">{step.stepId}</code>
                <span className="text-ink-muted">{step.status}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
