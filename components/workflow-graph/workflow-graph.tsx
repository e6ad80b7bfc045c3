'use client';

import '@xyflow/react/dist/style.css';
import { Background, Controls, MarkerType, ReactFlow, type Edge, type Node } from '@xyflow/react';
import { useMemo } from 'react';
import { cx } from '@/components/ui/cx';
import { GRAPH_NODE_TYPES } from '@/components/workflow-graph/graph-nodes';
import type { TGraphDefinition, TGraphStepStatus } from '@/components/workflow-graph/graph-types';
import { layoutGraph } from '@/components/workflow-graph/layout-graph';

export type { TGraphDefinition, TGraphStep, TGraphStepStatus } from '@/components/workflow-graph/graph-types';

export type TWorkflowGraphProps = {
  definition: TGraphDefinition;
  /** Step ids the run went through; the others are dimmed and the edges between taken steps drawn in the accent colour. */
  highlightedPath?: ReadonlyArray<string>;
  /** A status per step id (a run's latest attempt), shown as a coloured border and dot. */
  stepStatuses?: Readonly<Record<string, TGraphStepStatus>>;
  selectedStepId?: string | null;
  /** Makes every step a button; called with the step id. */
  onSelectStep?: (stepId: string) => void;
  className?: string;
};

/**
 * A read-only picture of a workflow: pipes top to bottom, blocks (if, switch, for each,
 * parallel, try/catch) as containers with their nested pipes side by side. Pan and zoom; no
 * dragging or connecting. Used by the run page and the designer.
 */
export function WorkflowGraph({
  definition,
  highlightedPath,
  stepStatuses,
  selectedStepId,
  onSelectStep,
  className,
}: TWorkflowGraphProps) {
  const { nodes, edges } = useMemo(() => {
    const layout = layoutGraph(definition, { highlightedPath, stepStatuses, selectedStepId, onSelectStep });
    const flowNodes: Node[] = layout.nodes.map((node) => ({
      id: node.id,
      type: node.type,
      position: node.position,
      ...(node.parentId ? { parentId: node.parentId, extent: 'parent' as const } : {}),
      data: node.data,
      width: node.width,
      height: node.height,
      style: { width: node.width, height: node.height },
      draggable: false,
      connectable: false,
      selectable: false,
      focusable: false,
      ...(node.type === 'block' ? { zIndex: -1 } : {}),
    }));
    const flowEdges: Edge[] = layout.edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      type: 'smoothstep',
      focusable: false,
      selectable: false,
      markerEnd: {
        type: MarkerType.ArrowClosed,
        width: 14,
        height: 14,
        color: edge.taken ? 'var(--color-accent)' : 'var(--color-line-strong)',
      },
      style: {
        stroke: edge.taken ? 'var(--color-accent)' : 'var(--color-line-strong)',
        strokeWidth: edge.taken ? 2 : 1.25,
        opacity: edge.taken === false ? 0.5 : 1,
      },
    }));
    return { nodes: flowNodes, edges: flowEdges };
  }, [definition, highlightedPath, stepStatuses, selectedStepId, onSelectStep]);

  return (
    <div
      className={cx('h-[28rem] w-full overflow-hidden rounded-lg border border-line bg-canvas', className)}
      data-testid="workflow-graph"
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={GRAPH_NODE_TYPES}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.1}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        colorMode="system"
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
