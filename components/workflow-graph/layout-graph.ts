import type {
  TGraphDefinition,
  TGraphPipe,
  TGraphStep,
  TGraphStepStatus,
} from '@/components/workflow-graph/graph-types';
import { pipesOfConfig } from '@/model/nodes/nested-pipes';

function isGraphStep(value: unknown): value is TGraphStep {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TGraphStep).id === 'string' &&
    typeof (value as TGraphStep).type === 'string'
  );
}

/**
 * A block's nested pipes as its node shape declares them (model/nodes), read from a config
 * that may be half written: a pipe whose value is not a list is not drawn, nor an optional one
 * left out (a switch's default, a try's finally).
 */
function nestedPipes(step: TGraphStep): TGraphPipe[] {
  return pipesOfConfig(step.type, step.config).flatMap((pipe) =>
    pipe.steps && !pipe.hidden ? [{ path: pipe.path, label: pipe.label, steps: pipe.steps.filter(isGraphStep) }] : [],
  );
}

export const STEP_WIDTH = 220;
export const STEP_HEIGHT = 52;
const GAP_Y = 28;
const PIPE_GAP_X = 24;
const BLOCK_PAD = 14;
const BLOCK_HEADER = 48;
const PIPE_LABEL = 24;
const EMPTY_WIDTH = 150;
const EMPTY_HEIGHT = 34;

/** What a node shows; `taken` is null when no run path is highlighted. */
export type TStepNodeData = {
  step: TGraphStep;
  taken: boolean | null;
  status: TGraphStepStatus | null;
  selected: boolean;
  onSelect: ((stepId: string) => void) | null;
};
export type TLabelNodeData = { label: string };

export type TLaidOutNode =
  | {
      id: string;
      type: 'step' | 'block';
      position: { x: number; y: number };
      parentId?: string;
      width: number;
      height: number;
      data: TStepNodeData;
    }
  | {
      id: string;
      type: 'pipeLabel' | 'empty';
      position: { x: number; y: number };
      parentId?: string;
      width: number;
      height: number;
      data: TLabelNodeData;
    };
export type TLaidOutEdge = { id: string; source: string; target: string; taken: boolean | null };
export type TGraphLayout = { nodes: TLaidOutNode[]; edges: TLaidOutEdge[]; width: number; height: number };

type TSize = { width: number; height: number };

function measurePipe(steps: ReadonlyArray<TGraphStep>): TSize {
  if (steps.length === 0) return { width: EMPTY_WIDTH, height: EMPTY_HEIGHT };
  const sizes = steps.map(measureStep);
  return {
    width: Math.max(...sizes.map((s) => s.width)),
    height: sizes.reduce((sum, s) => sum + s.height, 0) + GAP_Y * (steps.length - 1),
  };
}

function measureStep(step: TGraphStep): TSize {
  const pipes = nestedPipes(step);
  if (pipes.length === 0) return { width: STEP_WIDTH, height: STEP_HEIGHT };
  const sizes = pipes.map((pipe) => measurePipe(pipe.steps));
  const inner = sizes.reduce((sum, s) => sum + s.width, 0) + PIPE_GAP_X * (pipes.length - 1);
  return {
    width: Math.max(STEP_WIDTH, inner + 2 * BLOCK_PAD),
    height: BLOCK_HEADER + PIPE_LABEL + Math.max(...sizes.map((s) => s.height)) + BLOCK_PAD,
  };
}

type TLayoutOptions = {
  highlightedPath?: ReadonlyArray<string>;
  stepStatuses?: Readonly<Record<string, TGraphStepStatus>>;
  selectedStepId?: string | null;
  onSelectStep?: (stepId: string) => void;
};

/**
 * Lays a definition out top to bottom: each pipe is a column of steps, centred; a block step
 * is a container whose nested pipes stand side by side inside it, each under its label
 * ("Then", "Else", "Case 1" …), recursively. Child positions are relative to their block, as
 * React Flow expects of sub-flows; parents come before their children in `nodes`.
 */
export function layoutGraph(definition: TGraphDefinition, options: TLayoutOptions = {}): TGraphLayout {
  const taken = options.highlightedPath ? new Set(options.highlightedPath) : null;
  const nodes: TLaidOutNode[] = [];
  const edges: TLaidOutEdge[] = [];

  const placePipe = (
    steps: ReadonlyArray<TGraphStep>,
    pipeId: string,
    origin: { x: number; y: number },
    width: number,
    parentId: string | undefined,
  ) => {
    if (steps.length === 0) {
      nodes.push({
        id: `${pipeId}:empty`,
        type: 'empty',
        position: { x: origin.x + (width - EMPTY_WIDTH) / 2, y: origin.y },
        parentId,
        width: EMPTY_WIDTH,
        height: EMPTY_HEIGHT,
        data: { label: 'no steps' },
      });
      return;
    }
    let y = origin.y;
    steps.forEach((step, index) => {
      const size = measureStep(step);
      placeStep(step, { x: origin.x + (width - size.width) / 2, y }, size, parentId);
      y += size.height + GAP_Y;
      const previous = steps[index - 1];
      if (previous)
        edges.push({
          id: `${previous.id}->${step.id}`,
          source: previous.id,
          target: step.id,
          taken: taken ? taken.has(previous.id) && taken.has(step.id) : null,
        });
    });
  };

  const placeStep = (
    step: TGraphStep,
    position: { x: number; y: number },
    size: TSize,
    parentId: string | undefined,
  ) => {
    const pipes = nestedPipes(step);
    const data: TStepNodeData = {
      step,
      taken: taken ? taken.has(step.id) : null,
      status: options.stepStatuses?.[step.id] ?? null,
      selected: options.selectedStepId === step.id,
      onSelect: options.onSelectStep ?? null,
    };
    nodes.push({
      id: step.id,
      type: pipes.length ? 'block' : 'step',
      position,
      parentId,
      width: size.width,
      height: size.height,
      data,
    });
    if (pipes.length === 0) return;
    const sizes = pipes.map((pipe) => measurePipe(pipe.steps));
    const inner = sizes.reduce((sum, s) => sum + s.width, 0) + PIPE_GAP_X * (pipes.length - 1);
    let x = (size.width - inner) / 2;
    pipes.forEach((pipe, index) => {
      const pipeSize = sizes[index]!;
      const pipeId = `${step.id}/${pipe.path}`;
      nodes.push({
        id: `${pipeId}:label`,
        type: 'pipeLabel',
        position: { x, y: BLOCK_HEADER },
        parentId: step.id,
        width: pipeSize.width,
        height: PIPE_LABEL,
        data: { label: pipe.label },
      });
      placePipe(pipe.steps, pipeId, { x, y: BLOCK_HEADER + PIPE_LABEL }, pipeSize.width, step.id);
      x += pipeSize.width + PIPE_GAP_X;
    });
  };

  const size = measurePipe(definition.steps);
  placePipe(definition.steps, 'root', { x: 0, y: 0 }, size.width, undefined);
  return { nodes, edges, width: size.width, height: size.height };
}
