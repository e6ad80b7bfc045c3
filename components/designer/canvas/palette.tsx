'use client';

import { Draggable, Droppable } from '@hello-pangea/dnd';
import { ChevronDown, Plus, Search } from 'lucide-react';
import { memo, useMemo, useState } from 'react';
import type { TRegistry } from '@/components/designer/config/use-registry';
import { STEP_DND_TYPE } from '@/components/designer/canvas/step-card';
import { StepIcon } from '@/components/designer/canvas/step-icon';
import { draggedCardStyle } from '@/components/designer/canvas/use-step-drag';
import { INPUT_CLASSES } from '@/components/ui/input';

/** One thing the palette can add: a node type, or `action.call` preset to one action. */
export type TPaletteItem = {
  key: string;
  type: string;
  title: string;
  description: string;
  icon: string;
  group: string;
  action?: { id: string; version: number };
};

export const PALETTE_PREFIX = 'palette:';

const GROUP_TITLES: Record<string, string> = {
  data: 'Data',
  actions: 'Actions',
  waiting: 'Waiting',
  flow: 'Flow',
  end: 'End',
};

/** The palette's items from the registries: every node type except the bare action call, then one item per action. */
export function paletteItems(registry: TRegistry): TPaletteItem[] {
  const nodes = registry.nodes
    .filter((node) => node.type !== 'action.call')
    .map((node): TPaletteItem => ({
      key: node.type,
      type: node.type,
      title: node.title,
      description: node.description,
      icon: node.icon,
      group: GROUP_TITLES[node.category] ?? node.category,
    }));
  const actions = registry.actions.map((action): TPaletteItem => ({
    key: `action.call:${action.ref}`,
    type: 'action.call',
    title: action.title,
    description: `${action.ref} · ${action.description}`,
    icon: action.icon,
    group: 'Actions',
    action: { id: action.id, version: action.version },
  }));
  return [...nodes, ...actions];
}

const ITEM_CLASSES =
  'flex w-full min-w-0 items-center gap-2 rounded-md border px-2 py-1.5 text-left text-[13px] leading-snug';

/** An item's icon and title; long titles wrap onto a second line rather than being cut. */
function ItemLabel({ item }: { item: TPaletteItem }) {
  return (
    <>
      <StepIcon name={item.icon} className="size-4 shrink-0 text-ink-muted" />
      <span className="line-clamp-2 min-w-0 break-words">{item.title}</span>
    </>
  );
}

const PaletteButton = memo(function PaletteButton({
  item,
  onAdd,
}: {
  item: TPaletteItem;
  onAdd: (item: TPaletteItem) => void;
}) {
  return (
    <button
      type="button"
      onClick={() => onAdd(item)}
      title={item.description}
      className={`${ITEM_CLASSES} border-line bg-surface text-ink hover:border-accent hover:bg-accent-soft`}
    >
      <ItemLabel item={item} />
    </button>
  );
});

/** The palette's one list (a drop there is refused: it only gives). */
const PALETTE_LIST = `${PALETTE_PREFIX}list`;

/**
 * One palette item, draggable out of the palette's list. While it is dragged the library draws
 * its clone under the pointer and leaves the item out; a faded copy keeps its place. The library
 * also shifts the items after a lifted one (to close the gap it thinks the lift left, then to
 * open it again as the clone leaves the list): its `style` (that transform) is left off, as the
 * faded copy fills the gap and the list takes no drop, so no item moves. One list, not one per
 * item: the library measures every droppable of the type at each lift (issue #16).
 */
const PaletteEntry = memo(function PaletteEntry({
  item,
  index,
  lifted,
  onAdd,
}: {
  item: TPaletteItem;
  index: number;
  lifted: boolean;
  onAdd: (item: TPaletteItem) => void;
}) {
  return (
    <li>
      {lifted && (
        <div aria-hidden className={`${ITEM_CLASSES} border-dashed border-line-strong text-ink-faint`}>
          <ItemLabel item={item} />
        </div>
      )}
      <Draggable draggableId={`${PALETTE_PREFIX}${item.key}`} index={index} disableInteractiveElementBlocking>
        {(provided) => {
          const { style: _shift, ...draggableProps } = provided.draggableProps;
          return (
            <div
              ref={provided.innerRef}
              {...draggableProps}
              {...provided.dragHandleProps}
              tabIndex={-1}
              aria-label={undefined}
              role={undefined}
            >
              <PaletteButton item={item} onAdd={onAdd} />
            </div>
          );
        }}
      </Draggable>
    </li>
  );
});

/**
 * Step types grouped by category, searchable. Click (or Enter) adds at the insertion point (drawn
 * on the canvas; after the selected step); Enter in the search adds its single match;
 * dragging drops at a position. The items are one disabled droppable (PaletteEntry says why
 * none of them moves while one is dragged out).
 */
export const Palette = memo(function Palette({
  registry,
  error,
  onAdd,
}: {
  registry: TRegistry | null;
  error: string | null;
  onAdd: (item: TPaletteItem) => void;
}) {
  const [query, setQuery] = useState('');
  // Below the wide layout the palette folds into one "Add a step" row, so the pipe is on the
  // first screen; at lg and up it is the left column and always open.
  const [open, setOpen] = useState(false);
  const items = useMemo(() => (registry ? paletteItems(registry) : []), [registry]);
  const needle = query.trim().toLowerCase();
  const shown = needle
    ? items.filter((item) => `${item.title} ${item.type} ${item.description}`.toLowerCase().includes(needle))
    : items;
  const groups = [...new Set(shown.map((item) => item.group))];
  // The library wants a list's draggables indexed 0..n-1 in the order they are drawn: group by group.
  const ordered = groups.flatMap((group) => shown.filter((item) => item.group === group));
  return (
    <aside
      aria-label="Step palette"
      className="flex min-w-0 flex-col gap-3 rounded-lg border border-line bg-surface p-3 lg:sticky lg:top-4 lg:max-h-[calc(100vh-2rem)] lg:overflow-y-auto"
    >
      <button
        type="button"
        onClick={() => setOpen((value) => !value)}
        aria-expanded={open}
        aria-controls="step-palette-body"
        className="flex items-center gap-2 rounded-md text-left text-sm font-medium text-ink lg:hidden"
      >
        <Plus className="size-4 text-ink-muted" aria-hidden />
        <span className="flex-1">Add a step</span>
        <ChevronDown className={`size-4 text-ink-muted transition-transform ${open ? 'rotate-180' : ''}`} aria-hidden />
      </button>
      <div id="step-palette-body" className={`${open ? 'flex' : 'hidden'} min-w-0 flex-col gap-3 lg:flex`}>
        <label className="relative block">
          <span className="sr-only">Search step types</span>
          <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-ink-faint" aria-hidden />
          <input
            id="step-palette-search"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              // Enter adds the one step type the search leaves (a clear search then starts over).
              if (event.key !== 'Enter' || shown.length !== 1 || !needle) return;
              event.preventDefault();
              onAdd(shown[0]!);
              setQuery('');
            }}
            aria-describedby="step-palette-hint"
            placeholder="Search steps"
            className={`${INPUT_CLASSES} pl-8`}
          />
        </label>
        {needle && shown.length === 1 && (
          <p id="step-palette-hint" className="text-[12px] text-ink-faint">
            Enter adds “{shown[0]!.title}”.
          </p>
        )}
        {needle && shown.length > 1 && (
          <p id="step-palette-hint" className="text-[12px] text-ink-faint">
            {shown.length} matches: type more, or pick one.
          </p>
        )}
        {error && <p className="text-[13px] text-danger">{error}</p>}
        {!registry && !error && <p className="text-[13px] text-ink-faint">Loading step types…</p>}
        {registry && shown.length === 0 && (
          <p className="text-[13px] text-ink-faint">No step type matches “{query}”.</p>
        )}
        {registry && shown.length > 0 && (
          <Droppable
            droppableId={PALETTE_LIST}
            type={STEP_DND_TYPE}
            isDropDisabled
            renderClone={(provided, snapshot, rubric) => (
              <div
                ref={provided.innerRef}
                {...provided.draggableProps}
                {...provided.dragHandleProps}
                style={draggedCardStyle(provided.draggableProps.style, snapshot)}
                className={`${ITEM_CLASSES} pointer-events-none! w-56 border-accent bg-surface text-ink shadow-lg`}
              >
                <ItemLabel item={ordered[rubric.source.index]!} />
              </div>
            )}
          >
            {(droppable, snapshot) => (
              <div ref={droppable.innerRef} {...droppable.droppableProps} className="flex flex-col gap-3">
                {groups.map((group) => (
                  <section key={group} aria-label={group} className="flex flex-col gap-1">
                    <h3 className="text-[11px] font-semibold tracking-wide text-ink-faint uppercase">{group}</h3>
                    <ul className="flex flex-col gap-1">
                      {ordered.map((item, index) =>
                        item.group === group ? (
                          <PaletteEntry
                            key={item.key}
                            item={item}
                            index={index}
                            lifted={snapshot.draggingFromThisWith === `${PALETTE_PREFIX}${item.key}`}
                            onAdd={onAdd}
                          />
                        ) : null,
                      )}
                    </ul>
                  </section>
                ))}
                <span className="hidden">{droppable.placeholder}</span>
              </div>
            )}
          </Droppable>
        )}
      </div>
    </aside>
  );
});
