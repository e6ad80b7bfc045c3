'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { JsonView } from '@/components/runs/json-view';
import { RunActions } from '@/components/runs/run-actions';
import { RunRecordActions } from '@/components/runs/run-record-actions';
import { RunEventLog } from '@/components/runs/run-event-log';
import { RunHeader } from '@/components/runs/run-header';
import { RunTimeline } from '@/components/runs/run-timeline';
import { StepDetail } from '@/components/runs/step-detail';
import { buildStepTree, statusByStepId, takenStepIds, type TTimelineStep } from '@/components/runs/step-tree';
import { useLiveRun, type TLiveRun } from '@/components/runs/use-live-run';
import { Card } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { WorkflowGraph, type TGraphDefinition } from '@/components/workflow-graph/workflow-graph';
import { isTerminal } from '@/model/run-status';

function CardTitle({ children, extra }: { children: React.ReactNode; extra?: React.ReactNode }) {
  return (
    <div className="flex items-center justify-between gap-3 border-b border-line px-4 py-2.5">
      <h2 className="text-sm font-semibold text-ink">{children}</h2>
      {extra}
    </div>
  );
}

function findNode(tree: TTimelineStep[], path: string): TTimelineStep | null {
  for (const node of tree) {
    if (node.path === path) return node;
    for (const group of node.groups) {
      const found = findNode(group.steps, path);
      if (found) return found;
    }
  }
  return null;
}

/** The path to show first: where the run failed, else what it waits on or runs now. */
function initialSelection(live: TLiveRun): string | null {
  const error = live.run.error as { stepPath?: unknown } | null;
  if (error && typeof error.stepPath === 'string') return error.stepPath;
  if (live.run.status === 'SUCCEEDED') return null;
  const open = [...live.steps]
    .reverse()
    .find((s) => s.status === 'WAITING' || s.status === 'RUNNING' || s.status === 'FAILED');
  return open?.path ?? null;
}

type TRunViewProps = {
  initial: TLiveRun;
  definition: TGraphDefinition | null;
  canOperate: boolean;
  isAdmin: boolean;
  latestVersion: number | null;
  renderedAt: number;
  /** Sections the page adds after input and output (the run's artifacts). */
  extra?: React.ReactNode;
};

/** The run page: header and actions, timeline with the selected step's detail, graph, input and output, and the event log, all live. */
export function RunView({ initial, definition, canOperate, isAdmin, latestVersion, renderedAt, extra }: TRunViewProps) {
  const live = useLiveRun(initial);
  const { run, steps, events, connection, refresh } = live;
  const [selectedPath, setSelectedPath] = useState<string | null>(() => initialSelection(initial));
  const [now, setNow] = useState(renderedAt);
  const running = !isTerminal(run.status);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);

  const tree = useMemo(
    () => buildStepTree(steps, events, { status: run.status, completedAt: run.completedAt }),
    [steps, events, run.status, run.completedAt],
  );
  const taken = useMemo(() => takenStepIds(steps, events), [steps, events]);
  const statuses = useMemo(() => statusByStepId(steps), [steps]);
  const selected = selectedPath ? findNode(tree, selectedPath) : null;
  const span = useMemo(() => {
    const from = Date.parse(run.startedAt ?? run.createdAt);
    return { from, to: Math.max(from + 1, run.completedAt ? Date.parse(run.completedAt) : now) };
  }, [run.startedAt, run.createdAt, run.completedAt, now]);
  const selectStep = useCallback(
    (stepId: string) => {
      const latest = [...steps].reverse().find((s) => s.stepId === stepId);
      const started = [...events].reverse().find((e) => e.type === 'step.started' && e.stepId === stepId);
      const path = latest?.path ?? (started?.data as { path?: string } | null)?.path ?? null;
      if (path) setSelectedPath(path);
    },
    [steps, events],
  );
  const runError = run.error as { code?: string; message?: string; stepId?: string; stepPath?: string } | null;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-start justify-between gap-x-6 gap-y-3">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight text-ink">
            Run <code className="font-mono text-lg">{run.id.slice(0, 8)}</code>
          </h1>
          <p className="mt-1 flex items-center gap-2 font-mono text-[12px] break-all text-ink-faint">
            {run.id} <CopyButton value={run.id} label="Copy id" />
          </p>
        </div>
        <div className="flex flex-wrap items-start gap-2">
          {canOperate && (
            <RunActions
              runId={run.id}
              status={run.status}
              version={run.version}
              latestVersion={latestVersion}
              isAdmin={isAdmin}
              onChanged={() => void refresh()}
            />
          )}
          <RunRecordActions runId={run.id} status={run.status} isAdmin={isAdmin} />
        </div>
      </div>
      <Card className="p-4">
        <RunHeader run={run} connection={connection} now={now} />
      </Card>
      {runError && (
        <div
          role="alert"
          className="rounded-lg border border-danger/30 bg-danger-soft px-4 py-3 text-sm break-words text-danger"
        >
          <span className="font-semibold">{runError.code ?? 'ERROR'}</span>
          {runError.stepId && (
            <>
              {' '}
              in{' '}
              <button
                type="button"
                className="text-left font-mono break-all underline"
                onClick={() => runError.stepPath && setSelectedPath(runError.stepPath)}
              >
                {runError.stepId}
              </button>
            </>
          )}
          : {runError.message}
        </div>
      )}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)]">
        <Card className="min-w-0 overflow-hidden">
          <CardTitle extra={<span className="text-[12px] text-ink-faint">{steps.length} step records</span>}>
            Timeline
          </CardTitle>
          <div className="max-h-[38rem] overflow-y-auto">
            <RunTimeline tree={tree} span={span} now={now} selectedPath={selectedPath} onSelect={setSelectedPath} />
          </div>
        </Card>
        <Card className="min-w-0 self-start lg:sticky lg:top-4 lg:max-h-[calc(100dvh-2rem)] lg:overflow-y-auto">
          <CardTitle>Step</CardTitle>
          {selected ? (
            <StepDetail key={selected.path} runId={run.id} node={selected} />
          ) : (
            <p className="p-4 text-sm text-ink-muted">
              Select a step in the timeline or the graph to see its input, output, error and the envelope after it.
            </p>
          )}
        </Card>
      </div>
      {definition && (
        <Card className="overflow-hidden">
          <CardTitle extra={<span className="text-[12px] text-ink-faint">the path this run took is highlighted</span>}>
            Graph
          </CardTitle>
          <WorkflowGraph
            definition={definition}
            highlightedPath={taken}
            stepStatuses={statuses}
            selectedStepId={selected?.stepId ?? null}
            onSelectStep={selectStep}
            className="rounded-none border-0"
          />
        </Card>
      )}
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <Card className="min-w-0">
          <CardTitle>Input</CardTitle>
          <div className="p-4">
            <JsonView value={run.input} label="Run input" />
          </div>
        </Card>
        <Card className="min-w-0">
          <CardTitle>Output</CardTitle>
          <div className="p-4">
            {run.output === null ? (
              <p className="text-sm text-ink-muted">{running ? 'Not finished yet.' : 'No output.'}</p>
            ) : (
              <JsonView value={run.output} label="Run output" />
            )}
          </div>
        </Card>
      </div>
      {extra}
      <Card className="overflow-hidden">
        <CardTitle extra={<span className="text-[12px] text-ink-faint">{events.length} events</span>}>
          Event log
        </CardTitle>
        <div className="max-h-[28rem] overflow-y-auto">
          <RunEventLog events={events} />
        </div>
      </Card>
    </div>
  );
}
