'use client';

import { Draggable, Droppable, type DraggableProvided } from '@hello-pangea/dnd';
import { memo } from 'react';
import { CardIcon } from '@/components/designer/canvas/card-icons';
import { useCanvas } from '@/components/designer/canvas/canvas-context';
import { useCanvasSelector } from '@/components/designer/canvas/canvas-store';
import { pipeIdOf, type TPipeId } from '@/components/designer/canvas/definition-edits';
import { InsertionLine, PipeHeading } from '@/components/designer/canvas/insertion-point';
import { PipeRest } from '@/components/designer/canvas/pipe-rest';
import { CollapsedRow, EmptyPipe } from '@/components/designer/canvas/step-card-parts';
import { drawnCount } from '@/components/designer/canvas/pipe-window';
import { StepCardMenu } from '@/components/designer/canvas/step-card-menu';
import { summarizeStep } from '@/components/designer/canvas/step-summary';
import { draggedCardStyle } from '@/components/designer/canvas/use-step-drag';
import { PinnedCardMark } from '@/components/designer/testing/pinned-card-mark';
import { cx } from '@/components/ui/cx';
import type { TStep } from '@/model/definition/step';
import { nestedPipes } from '@/model/designer/step-tree';

/** The type every step draggable and pipe droppable share, so any step can go into any pipe. */
export const STEP_DND_TYPE = 'STEP';

/** One pipe: a droppable column of step cards. Memoized on the steps array, which edits replace only where they change. */
export const PipeList = memo(function PipeList({
  pipeId,
  steps,
  depth,
  label,
}: {
  pipeId: TPipeId;
  steps: readonly TStep[];
  depth: number;
  label: string;
}) {
  const { readOnly, store } = useCanvas();
  const elsewhere = useCanvasSelector(store, (state) => state.hoverPipe !== null && state.hoverPipe !== pipeId);
  // A long pipe draws its first cards and a placeholder for the rest (pipe-window.ts).
  const drawn = useCanvasSelector(store, (state) => drawnCount(steps.length, state.shownInPipe.get(pipeId)));
  return (
    <Droppable droppableId={pipeId} type={STEP_DND_TYPE} isDropDisabled={readOnly || elsewhere}>
      {(provided, snapshot) => (
        <div
          ref={provided.innerRef}
          {...provided.droppableProps}
          role="list"
          aria-label={label}
          data-pipe-id={pipeId}
          // No colour transition on the drop highlight: a fading background is repainted every
          // frame of its fade, and the root pipe (lit from the lift) spans the whole canvas, so
          // the 150 ms fades at the lift and at each pipe change repainted the whole page frame
          // after frame during a big workflow's drag (issue #16; ARCHITECTURE.md).
          // The drag library's placeholder (the room made for the card in the pipe under the
          // pointer) opens at once instead of growing over 200 ms: its growth moved everything
          // below the pipe, a layout and repaint of the rest of the page each frame. The cards in
          // the pipe still slide aside. 1 ms, not none: its close ends on the transition's end event.
          className={cx(
            'flex min-h-10 flex-col gap-2 rounded-md [&>[data-rfd-placeholder-context-id]]:duration-[1ms]!',
            snapshot.isDraggingOver && 'bg-accent-soft/60 outline-1 outline-accent/40 outline-dashed',
          )}
        >
          {(drawn < steps.length ? steps.slice(0, drawn) : steps).map((step, index) => (
            <StepCard
              key={step.id}
              step={step}
              index={index}
              depth={depth}
              pipeId={pipeId}
              last={index === steps.length - 1}
            />
          ))}
          {drawn < steps.length && <PipeRest pipeId={pipeId} drawn={drawn} left={steps.length - drawn} />}
          {provided.placeholder}
          {steps.length === 0 && !snapshot.isDraggingOver && <EmptyPipe pipeId={pipeId} />}
        </div>
      )}
    </Droppable>
  );
});

/** A step's card: icon, name, type, what it is set to do, its problems; a block shows its pipes inside, collapsible. */
export const StepCard = memo(function StepCard({
  step,
  index,
  depth,
  pipeId,
  last,
}: {
  step: TStep;
  index: number;
  depth: number;
  pipeId: TPipeId;
  last: boolean;
}) {
  const { store, readOnly } = useCanvas();
  const selected = useCanvasSelector(store, (state) => state.selectedId === step.id);
  return (
    <Draggable draggableId={step.id} index={index} isDragDisabled={readOnly}>
      {(provided, snapshot) => (
        <div
          role="listitem"
          ref={provided.innerRef}
          {...provided.draggableProps}
          style={draggedCardStyle(provided.draggableProps.style, snapshot)}
          data-step-id={step.id}
          className={cx(
            'relative min-w-0 rounded-lg border bg-surface',
            selected ? 'border-accent ring-2 ring-accent/30' : 'border-line',
            snapshot.isDragging && 'shadow-lg',
            step.disabled && 'opacity-60',
          )}
        >
          <StepCardBody
            step={step}
            index={index}
            depth={depth}
            pipeId={pipeId}
            last={last}
            selected={selected}
            dragHandleProps={provided.dragHandleProps}
            dragging={snapshot.isDragging}
          />
        </div>
      )}
    </Draggable>
  );
});

/**
 * What a card holds inside its draggable box. Memoized apart from the box: the drag library
 * re-renders a card's box whenever it moves the card (at the lift, the dragged card and every card
 * after it in its pipe; during the drag, each card it slides aside), and only the box's style
 * changes then (issue #16).
 */
const StepCardBody = memo(function StepCardBody({
  step,
  index,
  depth,
  pipeId,
  last,
  selected,
  dragHandleProps,
  dragging,
}: {
  step: TStep;
  index: number;
  depth: number;
  pipeId: TPipeId;
  last: boolean;
  selected: boolean;
  dragHandleProps: DraggableProvided['dragHandleProps'];
  dragging: boolean;
}) {
  const { store, readOnly, iconFor, commands } = useCanvas();
  const errors = useCanvasSelector(store, (state) => state.problemCounts.get(step.id) ?? 0);
  const collapsed = useCanvasSelector(store, (state) => state.collapsed.has(step.id));
  const pipes = nestedPipes(step);
  const label = step.name?.trim() || step.id;
  const summary = summarizeStep(step);
  return (
    <>
      <InsertionLine pipeId={pipeId} index={index} last={last} />
      <div
        tabIndex={0}
        data-testid="step-card"
        data-step-header={step.id}
        aria-label={`${label} (${step.type})`}
        aria-current={selected ? 'true' : undefined}
        onClick={() => commands.select(step.id)}
        onKeyDown={(event) => commands.cardKey(step.id, event)}
        onContextMenu={(event) => {
          event.preventDefault();
          commands.openMenu(step.id);
        }}
        className="flex min-w-0 cursor-pointer items-center gap-2 rounded-lg px-2 py-2 outline-none focus-visible:ring-2 focus-visible:ring-accent"
      >
        {!readOnly && (
          <span
            {...dragHandleProps}
            aria-label={`Drag ${label}`}
            // The dragged card's handle lets the pointer through to its header, as the library's
            // drag style did for every handle (drag-style-fence.tsx): what the release hits is unchanged.
            className={cx(
              'flex h-8 w-5 shrink-0 cursor-grab touch-none items-center justify-center rounded text-ink-faint select-none hover:bg-subtle hover:text-ink focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none',
              dragging && 'pointer-events-none!',
            )}
          >
            <CardIcon name="grip" className="size-4" />
          </span>
        )}
        <span className="flex size-8 shrink-0 items-center justify-center rounded-md bg-subtle text-ink-muted">
          <CardIcon name={iconFor(step.type)} className="size-4" />
        </span>
        <span className="flex min-w-0 flex-1 flex-col">
          <span className="flex min-w-0 items-baseline gap-2">
            <span className="truncate text-sm font-medium text-ink" title={label}>
              {label}
            </span>
            <span className="hidden shrink-0 font-mono text-[11px] text-ink-faint sm:inline">{step.type}</span>
          </span>
          <span className="truncate text-[12px] text-ink-muted" title={summary}>
            {summary || '\u00a0'}
          </span>
        </span>
        <PinnedCardMark stepId={step.id} />
        {errors > 0 && (
          <span
            className="shrink-0 rounded-full border border-danger/25 bg-danger-soft px-2 py-px text-xs font-medium text-danger"
            aria-label={`${errors} problem${errors === 1 ? '' : 's'}`}
          >
            {errors}
          </span>
        )}
        <StepCardMenu stepId={step.id} label={label} />
        {pipes.length > 0 && (
          <button
            type="button"
            aria-expanded={!collapsed}
            aria-label={collapsed ? `Expand ${label}` : `Collapse ${label}`}
            onClick={(event) => {
              event.stopPropagation();
              commands.setBlockOpen(step.id, collapsed);
            }}
            className="flex size-7 shrink-0 items-center justify-center rounded text-ink-faint hover:bg-subtle hover:text-ink"
          >
            <CardIcon name={collapsed ? 'chevron-right' : 'chevron-down'} className="size-4" />
          </button>
        )}
      </div>
      {pipes.length > 0 && !collapsed && (
        <div data-nested-pipes className="flex flex-col gap-2 px-2 pb-2">
          {pipes.map((pipe) => (
            <section
              key={pipe.path}
              className={cx(
                'min-w-0 rounded-md border-l-2 bg-canvas/60 py-1.5 pr-1.5 pl-2',
                depth % 2 === 0 ? 'border-accent/40' : 'border-line-strong',
              )}
            >
              <PipeHeading pipeId={pipeIdOf(step.id, pipe.path)} label={pipe.label} title={`${label}: ${pipe.label}`} />
              <PipeList
                pipeId={pipeIdOf(step.id, pipe.path)}
                steps={pipe.steps}
                depth={depth + 1}
                label={`${label}: ${pipe.label}`}
              />
            </section>
          ))}
        </div>
      )}
      {pipes.length > 0 && collapsed && (
        <CollapsedRow stepId={step.id} count={pipes.reduce((n, pipe) => n + pipe.steps.length, 0)} />
      )}
    </>
  );
});
