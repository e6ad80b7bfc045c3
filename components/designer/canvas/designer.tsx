'use client';

import { DragDropContext } from '@hello-pangea/dnd';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { checkDefinitionAction, publishVersionAction } from '@/app/(app)/workflows/server-actions';
import { cardKeyIntent } from '@/components/designer/canvas/card-keys';
import { CanvasContext, type TCanvasCommands, type TCanvasContext } from '@/components/designer/canvas/canvas-context';
import { createCanvasStore } from '@/components/designer/canvas/canvas-store';
import {
  copyWithNewIds,
  duplicateStep,
  insertStep,
  locateStep,
  moveStep,
  newStep,
  removeStep,
  ROOT_PIPE,
  shiftStep,
  updateStep,
  type TPipePosition,
} from '@/components/designer/canvas/definition-edits';
import { DesignerToolbar, type TDesignerView } from '@/components/designer/canvas/designer-toolbar';
import { createHistory, pushHistory, redoHistory, undoHistory } from '@/components/designer/canvas/history';
import { Palette, PALETTE_PREFIX, paletteItems, type TPaletteItem } from '@/components/designer/canvas/palette';
import { ProblemsList } from '@/components/designer/canvas/problems-list';
import { PipeList } from '@/components/designer/canvas/step-card';
import { useDraftAutosave, type TDraftBase } from '@/components/designer/canvas/use-draft-autosave';
import { useStepDrag } from '@/components/designer/canvas/use-step-drag';
import { StepConfigPanel } from '@/components/designer/config/step-config-panel';
import { useRegistry } from '@/components/designer/config/use-registry';
import { WorkflowPanels } from '@/components/designer/config/workflow-panels';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { WorkflowGraph } from '@/components/workflow-graph/workflow-graph';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { allStepIds } from '@/model/designer/step-tree';
import type { TProblem } from '@/model/definition/problem';

export type TDesignerProps = {
  initial: TVersionDocumentInput;
  base: TDraftBase;
  readOnly: boolean;
  canRun: boolean;
  secrets: string[];
  initialProblems: TProblem[];
};

function errorCounts(problems: readonly TProblem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const problem of problems)
    if (problem.stepId && problem.severity === 'error')
      counts.set(problem.stepId, (counts.get(problem.stepId) ?? 0) + 1);
  return counts;
}

function isTextField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

function focusCard(stepId: string) {
  requestAnimationFrame(() => {
    const header = document.querySelector<HTMLElement>(`[data-step-header="${CSS.escape(stepId)}"]`);
    header?.scrollIntoView({ block: 'nearest' });
    header?.focus({ preventScroll: true });
  });
}

/**
 * The workflow designer: the pipe of step cards (drag, palette, keyboard), the step or
 * workflow panel beside it, undo/redo over every change, autosave of the draft and publish.
 */
export function Designer({ initial, base: initialBase, readOnly, canRun, secrets, initialProblems }: TDesignerProps) {
  const { registry, error: registryError } = useRegistry();
  const [history, setHistory] = useState(() => createHistory(initial));
  const document = history.present;
  const steps = useMemo(() => (document.steps ?? []) as TStep[], [document.steps]);
  const [problems, setProblems] = useState(initialProblems);
  const [showProblems, setShowProblems] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [focusPath, setFocusPath] = useState<string | null>(null);
  const [view, setView] = useState<TDesignerView>('pipe');
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  const [publishing, setPublishing] = useState(false);
  const clipboard = useRef<TStep | null>(null);
  const autosave = useDraftAutosave({ workflowKey: document.key, document, initialBase, enabled: !readOnly });
  const store = useMemo(
    () =>
      createCanvasStore({
        selectedId: null,
        target: { pipeId: ROOT_PIPE, index: Number.MAX_SAFE_INTEGER },
        problemCounts: errorCounts(initialProblems),
        hoverPipe: 'none',
      }),
    [initialProblems],
  );
  const stepsRef = useRef(steps);
  stepsRef.current = steps;

  const editSteps = useCallback((change: (steps: TStep[]) => TStep[], group?: string) => {
    setHistory((current) => {
      const before = (current.present.steps ?? []) as TStep[];
      const after = change(before);
      return after === before ? current : pushHistory(current, { ...current.present, steps: after }, { group });
    });
  }, []);

  const select = useCallback(
    (stepId: string | null, path: string | null = null) => {
      setSelectedId(stepId);
      setFocusPath(path);
      const at = stepId ? locateStep(stepsRef.current, stepId) : null;
      store.set({
        selectedId: stepId,
        target: at ? { pipeId: at.pipeId, index: at.index + 1 } : { pipeId: ROOT_PIPE, index: Number.MAX_SAFE_INTEGER },
      });
    },
    [store],
  );

  // Problems follow the document: checked after each change settles (the same check publish runs).
  useEffect(() => store.set({ problemCounts: errorCounts(problems) }), [problems, store]);
  useEffect(() => {
    if (document === initial) return;
    const timer = setTimeout(() => {
      checkDefinitionAction({ document }).then(
        (result) => result.ok && setProblems(result.data.problems),
        (error: unknown) => console.error('[designer] check failed:', error),
      );
    }, 900);
    return () => clearTimeout(timer);
  }, [document, initial]);

  const insertAt = useCallback(
    (item: TPaletteItem, at: TPipePosition) => {
      const step = newStep({
        type: item.type,
        title: item.title,
        action: item.action,
        taken: new Set(allStepIds(stepsRef.current)),
      });
      editSteps((current) => insertStep(current, at, step));
      setSelectedId(step.id);
      setFocusPath(null);
      store.set({ selectedId: step.id, target: { pipeId: at.pipeId, index: at.index + 1 } });
    },
    [editSteps, store],
  );
  const addFromPalette = useCallback(
    (item: TPaletteItem) => insertAt(item, store.get().target ?? { pipeId: ROOT_PIPE, index: Number.MAX_SAFE_INTEGER }),
    [insertAt, store],
  );

  const undo = useCallback(() => setHistory(undoHistory), []);
  const redo = useCallback(() => setHistory(redoHistory), []);

  const paste = useCallback(
    (afterId: string | null) => {
      const cut = clipboard.current;
      if (!cut) return;
      const copy = copyWithNewIds(cut, new Set(allStepIds(stepsRef.current)));
      const at = afterId ? locateStep(stepsRef.current, afterId) : null;
      const target = at
        ? { pipeId: at.pipeId, index: at.index + 1 }
        : (store.get().target ?? { pipeId: ROOT_PIPE, index: Number.MAX_SAFE_INTEGER });
      editSteps((current) => insertStep(current, target, copy));
      select(null);
      setSelectedId(copy.id);
      store.set({ selectedId: copy.id, target: { pipeId: target.pipeId, index: target.index + 1 } });
      focusCard(copy.id);
    },
    [editSteps, select, store],
  );

  const cardKeyRef = useRef<TCanvasCommands['cardKey']>(() => undefined);
  cardKeyRef.current = (stepId: string, event: KeyboardEvent<HTMLElement>) => {
    if (event.target !== event.currentTarget) return; // keys on the drag handle or a button inside belong to them
    const intent = cardKeyIntent(event, readOnly);
    if (!intent) return;
    event.preventDefault();
    event.stopPropagation();
    switch (intent) {
      case 'select':
        return select(stepId);
      case 'focus-next':
      case 'focus-previous': {
        const headers = [...window.document.querySelectorAll<HTMLElement>('[data-step-header]')];
        return headers[headers.indexOf(event.currentTarget) + (intent === 'focus-next' ? 1 : -1)]?.focus();
      }
      case 'move-down':
      case 'move-up':
        editSteps((current) => shiftStep(current, stepId, intent === 'move-down' ? 1 : -1));
        return focusCard(stepId);
      case 'duplicate': {
        const result = duplicateStep(stepsRef.current, stepId);
        editSteps(() => result.steps);
        if (!result.copyId) return;
        select(null);
        setSelectedId(result.copyId);
        store.set({ selectedId: result.copyId });
        return focusCard(result.copyId);
      }
      case 'cut': {
        const { steps: rest, removed } = removeStep(stepsRef.current, stepId);
        clipboard.current = removed;
        editSteps(() => rest);
        select(null);
        return setNotice({
          tone: 'success',
          text: `Cut “${removed?.name ?? stepId}”: select a step and press Ctrl+V to paste it after.`,
        });
      }
      case 'paste':
        return paste(stepId);
      case 'delete':
        return setConfirmDelete(stepId);
    }
  };

  const commands = useMemo<TCanvasCommands>(
    () => ({
      select: (stepId) => select(stepId),
      targetPipe: (pipeId) => {
        setSelectedId(null);
        store.set({ selectedId: null, target: { pipeId, index: 0 } });
      },
      cardKey: (stepId, event) => cardKeyRef.current(stepId, event),
    }),
    [select, store],
  );
  const iconByType = useMemo(
    () => new Map<string, string>((registry?.nodes ?? []).map((node) => [node.type, node.icon])),
    [registry],
  );
  const context = useMemo<TCanvasContext>(
    () => ({ store, readOnly, commands, iconFor: (type) => iconByType.get(type) }),
    [store, readOnly, commands, iconByType],
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
  const { onBeforeCapture, onDragStart, onDragEnd } = useStepDrag({ store, readOnly, onDrop });

  const onRootKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const mod = event.ctrlKey || event.metaKey;
    if (!mod || readOnly || isTextField(event.target)) return;
    const key = event.key.toLowerCase();
    if ((key === 'z' && event.shiftKey) || key === 'y') {
      event.preventDefault();
      redo();
    } else if (key === 'z') {
      event.preventDefault();
      undo();
    } else if (key === 'v' && clipboard.current) {
      event.preventDefault();
      paste(null);
    }
  };

  const publish = async () => {
    setNotice(null);
    setPublishing(true);
    try {
      if (!(await autosave.flush()))
        return setNotice({ tone: 'danger', text: 'The draft is not saved, so it cannot be published yet.' });
      const checked = await checkDefinitionAction({ document });
      if (!checked.ok) return setNotice({ tone: 'danger', text: checked.error.message });
      setProblems(checked.data.problems);
      const errors = checked.data.problems.filter((problem) => problem.severity === 'error').length;
      if (errors > 0) {
        setShowProblems(true);
        return setNotice({
          tone: 'danger',
          text: `Not published: ${errors} problem${errors === 1 ? '' : 's'} to fix first.`,
        });
      }
      const version = autosave.base.version;
      if (version === null || autosave.base.status !== 'draft')
        return setNotice({ tone: 'danger', text: 'There is no draft to publish: this version is already published.' });
      const published = await publishVersionAction({ key: document.key, version });
      if (!published.ok) return setNotice({ tone: 'danger', text: published.error.message });
      autosave.markPublished(version);
      setShowProblems(false);
      setNotice({ tone: 'success', text: `Published version ${version}. Further edits start a new draft.` });
    } catch (error: unknown) {
      console.error('[designer] publish failed:', error);
      setNotice({ tone: 'danger', text: 'Could not reach the server to publish. Try again.' });
    } finally {
      setPublishing(false);
    }
  };

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
      <DesignerToolbar
        workflowKey={document.key}
        readOnly={readOnly}
        canRun={canRun}
        saveState={autosave.state}
        base={autosave.base}
        canUndo={history.past.length > 0}
        canRedo={history.future.length > 0}
        onUndo={undo}
        onRedo={redo}
        view={view}
        onView={setView}
        problemCount={problems.filter((problem) => problem.severity === 'error').length}
        onToggleProblems={() => setShowProblems(!showProblems)}
        onPublish={publish}
        publishing={publishing}
        flush={autosave.flush}
      />
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
          <div
            className={
              readOnly
                ? 'grid min-w-0 gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]'
                : 'grid min-w-0 gap-4 lg:grid-cols-[11rem_minmax(0,1fr)_22rem]'
            }
          >
            {!readOnly && <Palette registry={registry} error={registryError} onAdd={addFromPalette} />}
            <div className="min-w-0" data-testid="designer-canvas">
              {view === 'graph' ? (
                <WorkflowGraph
                  definition={graphDefinition}
                  selectedStepId={selectedId}
                  onSelectStep={onSelectInGraph}
                  className="h-[70vh] min-h-96 rounded-lg border border-line"
                />
              ) : (
                <div className="rounded-lg border border-line bg-canvas p-3">
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
                  onChange={(next) => setHistory((current) => pushHistory(current, next, { group: 'workflow' }))}
                />
              ) : (
                <div className="rounded-lg border border-line bg-surface p-4">
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
                      if (step.id !== selectedId) {
                        setSelectedId(step.id);
                        store.set({ selectedId: step.id });
                      }
                    }}
                  />
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
        onConfirm={() => {
          const stepId = confirmDelete;
          setConfirmDelete(null);
          if (!stepId) return;
          editSteps((current) => removeStep(current, stepId).steps);
          select(null);
        }}
      />
    </div>
  );
}
