'use client';

import { DragDropContext } from '@hello-pangea/dnd';
import { useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState } from 'react';
import { CanvasContext, type TCanvasCommands, type TCanvasContext } from '@/components/designer/canvas/canvas-context';
import { createCanvasStore } from '@/components/designer/canvas/canvas-store';
import { initialCollapsed } from '@/components/designer/canvas/collapse-plan';
import {
  insertStep,
  moveStep,
  newStep,
  ROOT_PIPE,
  updateStep,
  type TPipePosition,
} from '@/components/designer/canvas/definition-edits';
import { DesignerToolbar, type TDesignerView } from '@/components/designer/canvas/designer-toolbar';
import { pipeOfBlankClick } from '@/components/designer/canvas/canvas-click';
import { CardIconSprite } from '@/components/designer/canvas/card-icons';
import { DragStyleFence } from '@/components/designer/canvas/drag-style-fence';
import { focusCard } from '@/components/designer/canvas/focus-card';
import { Palette, PALETTE_PREFIX, paletteItems, type TPaletteItem } from '@/components/designer/canvas/palette';
import { ProblemsList } from '@/components/designer/canvas/problems-list';
import { DesignerSkipLinks } from '@/components/designer/canvas/skip-links';
import { PipeList } from '@/components/designer/canvas/step-card';
import { useDesignerHistory } from '@/components/designer/canvas/use-designer-history';
import { useDraftAutosave, type TDraftBase } from '@/components/designer/canvas/use-draft-autosave';
import { useLiveCheck } from '@/components/designer/canvas/use-live-check';
import { usePublish } from '@/components/designer/canvas/use-publish';
import { useSelection } from '@/components/designer/canvas/use-selection';
import { useStepCommands, type TDesignerNotice } from '@/components/designer/canvas/use-step-commands';
import { useStepDrag } from '@/components/designer/canvas/use-step-drag';
import { StepConfigPanel } from '@/components/designer/config/step-config-panel';
import { useRegistry } from '@/components/designer/config/use-registry';
import { WorkflowPanels } from '@/components/designer/config/workflow-panels';
import { PanelStepScope, useProvideDraftSaver } from '@/components/designer/testing/testing-context';
import { TestingToolbar } from '@/components/designer/testing/testing-toolbar';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { WorkflowGraph } from '@/components/workflow-graph/workflow-graph';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { allStepIds } from '@/model/designer/step-tree';
import { nodeShapeOf } from '@/model/nodes/node-shapes';
import type { TProblem } from '@/model/definition/problem';
import type { TStep } from '@/model/definition/step';

export type TDesignerProps = {
  initial: TVersionDocumentInput;
  base: TDraftBase;
  readOnly: boolean;
  canRun: boolean;
  secrets: string[];
};

/**
 * The workflow designer: the pipe of step cards (drag, palette, keyboard), the step or
 * workflow panel beside it, undo/redo over every change, autosave of the draft and publish.
 * Each concern is a hook: history, selection, step commands (keyboard and clipboard), the
 * live check, publish; this component wires them to the page.
 */
export function Designer({ initial, base: initialBase, readOnly, canRun, secrets }: TDesignerProps) {
  const { registry, error: registryError } = useRegistry();
  const { document, steps, stepsRef, editSteps, editDocument, undo, redo, canUndo, canRedo } =
    useDesignerHistory(initial);
  const [showProblems, setShowProblems] = useState(false);
  const [view, setView] = useState<TDesignerView>('pipe');
  const [notice, setNotice] = useState<TDesignerNotice | null>(null);
  const autosave = useDraftAutosave({ workflowKey: document.key, document, initialBase, enabled: !readOnly });
  // `?expand=all` opens every block, as the designer did before big workflows opened collapsed
  // (the designer bench measures both ways).
  const expandAll = useSearchParams().get('expand') === 'all';
  const store = useMemo(
    () =>
      createCanvasStore({
        selectedId: null,
        target: { pipeId: ROOT_PIPE, index: Number.MAX_SAFE_INTEGER },
        problemCounts: new Map(),
        hoverPipe: 'none',
        menuFor: null,
        collapsed: expandAll ? new Set() : initialCollapsed((initial.steps ?? []) as TStep[]),
        shownInPipe: new Map(),
        dragging: false,
      }),
    [initial, expandAll],
  );
  const selection = useSelection({ store, stepsRef });
  const {
    selectedId,
    focusPath,
    select,
    selectPlaced,
    targetPipe,
    setTarget,
    setBlockOpen,
    showInPipe,
    renameSelected,
    insertionPoint,
  } = selection;
  const { problems, setProblems, openCheck } = useLiveCheck({ document, initial, store });
  const openMenu = useCallback((stepId: string | null) => store.set({ menuFor: stepId }), [store]);
  const { cardKey, performRef, onRootKey, confirmDelete, setConfirmDelete, deleteConfirmed } = useStepCommands({
    stepsRef,
    editSteps,
    selection,
    readOnly,
    undo,
    redo,
    setNotice,
    openMenu,
  });
  const { publish, publishing } = usePublish({ document, autosave, setProblems, setShowProblems, setNotice });
  // Test step and Run draft work on the saved draft: they save first, as publish does.
  const { flush: flushDraft, currentBase } = autosave;
  useProvideDraftSaver(
    useCallback(
      async () => ((await flushDraft({ draftRequired: true })) ? currentBase().version : null),
      [flushDraft, currentBase],
    ),
  );

  const insertAt = useCallback(
    (item: TPaletteItem, at: TPipePosition) => {
      const step = newStep({
        type: item.type,
        title: item.title,
        action: item.action,
        taken: new Set(allStepIds(stepsRef.current)),
      });
      editSteps((current) => insertStep(current, at, step));
      selectPlaced(step.id, { pipeId: at.pipeId, index: at.index + 1 });
      focusCard(step.id);
    },
    [editSteps, selectPlaced, stepsRef],
  );
  const addFromPalette = useCallback(
    (item: TPaletteItem) => insertAt(item, insertionPoint()),
    [insertAt, insertionPoint],
  );

  const commands = useMemo<TCanvasCommands>(
    () => ({
      select: (stepId) => select(stepId),
      targetPipe,
      cardKey,
      run: (stepId, intent) => performRef.current(stepId, intent),
      openMenu,
      setBlockOpen,
      showInPipe,
      setTarget,
    }),
    [select, targetPipe, cardKey, performRef, openMenu, setBlockOpen, showInPipe, setTarget],
  );
  // Icons come from the node shapes both sides import, not from the registry fetched after
  // hydration: the server draws them, and the context does not change (re-rendering every card)
  // when the registry arrives.
  const context = useMemo<TCanvasContext>(
    () => ({ store, readOnly, commands, iconFor: (type) => nodeShapeOf(type)?.icon }),
    [store, readOnly, commands],
  );

  const onDrop = useCallback(
    (draggableId: string, to: TPipePosition) => {
      if (draggableId.startsWith(PALETTE_PREFIX)) {
        const item = registry
          ? paletteItems(registry).find((candidate) => `${PALETTE_PREFIX}${candidate.key}` === draggableId)
          : undefined;
        if (item) insertAt(item, to);
        return;
      }
      editSteps((current) => moveStep(current, draggableId, to));
    },
    [editSteps, insertAt, registry],
  );
  const { onPointerDown, onBeforeCapture, onDragStart, onDragEnd } = useStepDrag({ store, readOnly, onDrop });

  const onPickProblem = useCallback(
    (problem: TProblem) => {
      setView('pipe');
      select(problem.stepId, problem.path);
      if (problem.stepId) focusCard(problem.stepId);
    },
    [select],
  );
  const onSelectInGraph = useCallback(
    (stepId: string) => {
      setView('pipe');
      select(stepId);
      focusCard(stepId);
    },
    [select],
  );
  const graphDefinition = useMemo(() => ({ steps }), [steps]);

  return (
    <div className="flex min-w-0 flex-col gap-4" onKeyDown={onRootKey}>
      <CardIconSprite />
      <DesignerSkipLinks readOnly={readOnly} />
      <DesignerToolbar
        workflowKey={document.key}
        readOnly={readOnly}
        canRun={canRun}
        saveState={autosave.state}
        base={autosave.base}
        canUndo={canUndo}
        canRedo={canRedo}
        onUndo={undo}
        onRedo={redo}
        view={view}
        onView={setView}
        problemCount={problems.filter((problem) => problem.severity === 'error').length}
        openCheck={openCheck}
        onToggleProblems={() => setShowProblems(!showProblems)}
        onPublish={publish}
        publishing={publishing}
        flush={autosave.flush}
      />
      <TestingToolbar />
      {notice && (
        <p
          role={notice.tone === 'danger' ? 'alert' : 'status'}
          className={notice.tone === 'danger' ? 'text-[13px] text-danger' : 'text-[13px] text-success'}
        >
          {notice.text}
        </p>
      )}
      {showProblems && <ProblemsList problems={problems} steps={steps} onPick={onPickProblem} />}
      <DragDropContext onBeforeCapture={onBeforeCapture} onDragStart={onDragStart} onDragEnd={onDragEnd}>
        <CanvasContext.Provider value={context}>
          {/* Keeps the drag library's lift and drop styles from restyling the page. */}
          <DragStyleFence />
          <div
            className={
              readOnly
                ? 'grid min-w-0 grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]'
                : 'grid min-w-0 grid-cols-1 gap-4 lg:grid-cols-[11rem_minmax(0,1fr)_22rem]'
            }
          >
            {!readOnly && <Palette registry={registry} error={registryError} onAdd={addFromPalette} />}
            <div className="min-w-0" data-testid="designer-canvas" onPointerDownCapture={onPointerDown}>
              {view === 'graph' ? (
                <WorkflowGraph
                  definition={graphDefinition}
                  selectedStepId={selectedId}
                  onSelectStep={onSelectInGraph}
                  className="h-[70vh] min-h-96 rounded-lg border border-line"
                />
              ) : (
                <div
                  id="designer-canvas"
                  className="rounded-lg border border-line bg-canvas p-3"
                  onClick={(event) => {
                    const pipeId = readOnly ? null : pipeOfBlankClick(event.target, event.currentTarget);
                    if (pipeId) setTarget({ pipeId, index: Number.MAX_SAFE_INTEGER });
                  }}
                >
                  <button
                    type="button"
                    onClick={() => select(null)}
                    aria-current={selectedId === null ? 'true' : undefined}
                    className="mb-3 w-full truncate rounded-md px-2 py-1 text-left text-[13px] text-ink-muted hover:bg-subtle aria-[current=true]:bg-accent-soft aria-[current=true]:text-accent"
                  >
                    Workflow settings: inputs, env and secrets, limits
                  </button>
                  <PipeList pipeId={ROOT_PIPE} steps={steps} depth={0} label="Steps" />
                </div>
              )}
            </div>
            <aside
              aria-label="Configuration"
              className="min-w-0 self-start lg:sticky lg:top-4 lg:max-h-[calc(100vh-2rem)] lg:overflow-y-auto"
            >
              {selectedId === null ? (
                <WorkflowPanels
                  definition={document}
                  secrets={secrets}
                  readOnly={readOnly}
                  problems={problems.filter((problem) => problem.stepId === null)}
                  registry={registry ?? undefined}
                  onChange={(next) => editDocument(next, 'workflow')}
                />
              ) : (
                <div className="rounded-lg border border-line bg-surface p-4">
                  <PanelStepScope stepId={selectedId}>
                    <StepConfigPanel
                      definition={document}
                      stepId={selectedId}
                      secrets={secrets}
                      readOnly={readOnly}
                      registry={registry ?? undefined}
                      problems={problems.filter((problem) => problem.stepId === selectedId)}
                      focusPath={focusPath}
                      onChange={(step) => {
                        editSteps((current) => updateStep(current, selectedId, step), `step:${selectedId}`);
                        if (step.id !== selectedId) renameSelected(step.id);
                      }}
                    />
                  </PanelStepScope>
                </div>
              )}
            </aside>
          </div>
        </CanvasContext.Provider>
      </DragDropContext>
      <ConfirmDialog
        open={confirmDelete !== null}
        onOpenChange={(open) => !open && setConfirmDelete(null)}
        title="Delete this step?"
        description={`“${confirmDelete ?? ''}” and every step inside it are removed from the draft. Undo (Ctrl+Z) brings them back.`}
        confirmLabel="Delete step"
        onConfirm={deleteConfirmed}
      />
    </div>
  );
}
