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

function PaletteButton({ item, onAdd }: { item: TPaletteItem; onAdd: (item: TPaletteItem) => void }) {
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
}

/**
 * Step types grouped by category, searchable. Click (or Enter) adds at the insertion point (drawn
 * on the canvas; after the selected step); Enter in the search adds its single match;
 * dragging drops at a position. Each item is its own disabled droppable so the list does not
 * close up while one is dragged out (the clone follows the pointer, a faded copy keeps the
 * item's place).
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
        {groups.map((group) => (
          <section key={group} aria-label={group} className="flex flex-col gap-1">
            <h3 className="text-[11px] font-semibold tracking-wide text-ink-faint uppercase">{group}</h3>
            <ul className="flex flex-col gap-1">
              {shown
                .filter((item) => item.group === group)
                .map((item) => (
                  <Droppable
                    key={item.key}
                    droppableId={`${PALETTE_PREFIX}${item.key}`}
                    type={STEP_DND_TYPE}
                    isDropDisabled
                    renderClone={(provided, snapshot) => (
                      <div
                        ref={provided.innerRef}
                        {...provided.draggableProps}
                        {...provided.dragHandleProps}
                        style={draggedCardStyle(provided.draggableProps.style, snapshot)}
                        className={`${ITEM_CLASSES} pointer-events-none! w-56 border-accent bg-surface text-ink shadow-lg`}
                      >
                        <ItemLabel item={item} />
                      </div>
                    )}
                  >
                    {(droppable, snapshot) => (
                      <li ref={droppable.innerRef} {...droppable.droppableProps}>
                        {/* The library takes the item out while its clone is dragged: a faded copy keeps its place. */}
                        {snapshot.draggingFromThisWith && (
                          <div
                            aria-hidden
                            className={`${ITEM_CLASSES} border-dashed border-line-strong text-ink-faint`}
                          >
                            <ItemLabel item={item} />
                          </div>
                        )}
                        <Draggable
                          draggableId={`${PALETTE_PREFIX}${item.key}`}
                          index={0}
                          disableInteractiveElementBlocking
                        >
                          {(provided) => (
                            <div
                              ref={provided.innerRef}
                              {...provided.draggableProps}
                              {...provided.dragHandleProps}
                              tabIndex={-1}
                              aria-label={undefined}
                              role={undefined}
                            >
                              <PaletteButton item={item} onAdd={onAdd} />
                            </div>
                          )}
                        </Draggable>
                        <span className="hidden">{droppable.placeholder}</span>
                      </li>
                    )}
                  </Droppable>
                ))}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
});
