'use client';

import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import { cx } from '@/components/ui/cx';
import type { TGraphStepStatus } from '@/components/workflow-graph/graph-types';
import type { TLabelNodeData, TStepNodeData } from '@/components/workflow-graph/layout-graph';

const STATUS_RING: Record<TGraphStepStatus, string> = {
  RUNNING: 'border-accent',
  SUCCEEDED: 'border-success',
  FAILED: 'border-danger',
  WAITING: 'border-warning',
  SKIPPED: 'border-line-strong border-dashed',
  CANCELED: 'border-line-strong',
};
const STATUS_DOT: Record<TGraphStepStatus, string> = {
  RUNNING: 'bg-accent animate-pulse-soft',
  SUCCEEDED: 'bg-success',
  FAILED: 'bg-danger',
  WAITING: 'bg-warning animate-pulse-soft',
  SKIPPED: 'bg-line-strong',
  CANCELED: 'bg-ink-faint',
};

const HIDDEN_HANDLE = '!h-1 !w-1 !min-w-0 !min-h-0 !border-0 !bg-transparent';

function StepFace({ data, block }: { data: TStepNodeData; block: boolean }) {
  const { step, taken, status, selected, onSelect } = data;
  const label = step.name?.trim() || step.id;
  const content = (
    <>
      <span className="flex min-w-0 items-center gap-1.5">
        {status && <span className={cx('size-2 shrink-0 rounded-full', STATUS_DOT[status])} aria-hidden />}
        <span className="truncate text-[13px] font-medium text-ink">{label}</span>
      </span>
      <span className="truncate font-mono text-[11px] text-ink-faint">
        {step.type}
        {step.disabled ? ' · disabled' : ''}
      </span>
    </>
  );
  const classes = cx(
    'flex w-full min-w-0 flex-col items-start justify-center px-3 text-left',
    block ? 'h-12' : 'h-full',
  );
  const name = `${label} (${step.type})${status ? `, ${status.toLowerCase()}` : ''}${taken === false ? ', not reached' : ''}`;
  return onSelect ? (
    <button
      type="button"
      className={cx(classes, 'nodrag rounded-md')}
      onClick={() => onSelect(step.id)}
      aria-pressed={selected}
      aria-label={name}
      data-step-id={step.id}
    >
      {content}
    </button>
  ) : (
    <div className={classes} aria-label={name} data-step-id={step.id}>
      {content}
    </div>
  );
}

function frameClasses(data: TStepNodeData): string {
  return cx(
    'rounded-lg border bg-surface transition-opacity',
    data.status ? STATUS_RING[data.status] : 'border-line-strong',
    data.taken === false && 'opacity-45',
    data.taken === true && !data.status && 'border-accent',
    data.selected && 'ring-2 ring-accent ring-offset-2 ring-offset-canvas',
    data.step.disabled && 'border-dashed',
  );
}

export function StepNode({ data }: NodeProps<Node<TStepNodeData, 'step'>>) {
  return (
    <div className={cx(frameClasses(data), 'h-full w-full shadow-xs')}>
      <Handle type="target" position={Position.Top} className={HIDDEN_HANDLE} isConnectable={false} />
      <StepFace data={data} block={false} />
      <Handle type="source" position={Position.Bottom} className={HIDDEN_HANDLE} isConnectable={false} />
    </div>
  );
}

export function BlockNode({ data }: NodeProps<Node<TStepNodeData, 'block'>>) {
  return (
    <div className={cx(frameClasses(data), 'h-full w-full bg-subtle/70')}>
      <Handle type="target" position={Position.Top} className={HIDDEN_HANDLE} isConnectable={false} />
      <StepFace data={data} block />
      <Handle type="source" position={Position.Bottom} className={HIDDEN_HANDLE} isConnectable={false} />
    </div>
  );
}

export function PipeLabelNode({ data }: NodeProps<Node<TLabelNodeData, 'pipeLabel'>>) {
  return (
    <div className="truncate text-center text-[11px] font-semibold tracking-wide text-ink-muted uppercase">
      {data.label}
    </div>
  );
}

export function EmptyPipeNode({ data }: NodeProps<Node<TLabelNodeData, 'empty'>>) {
  return (
    <div className="flex h-full items-center justify-center rounded-md border border-dashed border-line-strong text-[11px] text-ink-faint">
      {data.label}
    </div>
  );
}

export const GRAPH_NODE_TYPES = { step: StepNode, block: BlockNode, pipeLabel: PipeLabelNode, empty: EmptyPipeNode };
