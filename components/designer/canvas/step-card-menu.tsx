'use client';

import { useRef, useState } from 'react';
import { CardIcon } from '@/components/designer/canvas/card-icons';
import { useCanvas } from '@/components/designer/canvas/canvas-context';
import { useCanvasSelector } from '@/components/designer/canvas/canvas-store';
import { CARD_SHORTCUTS, type TCardIntent } from '@/components/designer/canvas/card-keys';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';

type TMenuCommand = keyof typeof CARD_SHORTCUTS;

const EDIT_GROUPS: { intent: TMenuCommand; label: string }[][] = [
  [
    { intent: 'duplicate', label: 'Duplicate' },
    { intent: 'copy', label: 'Copy' },
    { intent: 'cut', label: 'Cut' },
    { intent: 'paste', label: 'Paste after' },
  ],
  [
    { intent: 'move-up', label: 'Move up' },
    { intent: 'move-down', label: 'Move down' },
  ],
  [{ intent: 'delete', label: 'Delete…' }],
];
const READ_ONLY_GROUPS = [[{ intent: 'copy' as const, label: 'Copy' }]];

const TRIGGER_CLASSES =
  'flex size-7 shrink-0 items-center justify-center rounded text-ink-faint hover:bg-subtle hover:text-ink focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none data-[state=open]:bg-subtle data-[state=open]:text-ink';

/**
 * A step card's "⋯" menu: every command the card's keys know, each with its shortcut, so they
 * can be found without knowing them. Right-click on the card (or the context-menu key, or
 * Shift+F10) opens the same menu: the canvas store says which card's menu is open.
 *
 * Until a card's menu is first opened its "⋯" is a plain button: Radix's menu is a dozen
 * components per card (providers, a popper anchor) and its root adds document listeners when it
 * mounts, which every card paid while a 120-card page hydrated (issue #16).
 */
export function StepCardMenu({ stepId, label }: { stepId: string; label: string }) {
  const { store, commands } = useCanvas();
  const open = useCanvasSelector(store, (state) => state.menuFor === stepId);
  const [opened, setOpened] = useState(false);
  // Set during render (React's way to adjust state to a changed input): the open menu mounts in this render.
  if (open && !opened) setOpened(true);
  if (!open && !opened)
    return (
      <button
        type="button"
        aria-label={`Step actions for ${label}`}
        title="Step actions (right-click the card)"
        aria-haspopup="menu"
        aria-expanded={false}
        onClick={(event) => {
          event.stopPropagation();
          commands.openMenu(stepId);
        }}
        className={TRIGGER_CLASSES}
      >
        <CardIcon name="more" className="size-4" />
      </button>
    );
  return <MountedStepCardMenu stepId={stepId} label={label} open={open} />;
}

/** The card's menu itself (Radix), once it has been opened. */
function MountedStepCardMenu({ stepId, label, open }: { stepId: string; label: string; open: boolean }) {
  const { readOnly, commands } = useCanvas();
  const groups = readOnly ? READ_ONLY_GROUPS : EDIT_GROUPS;
  // A command that puts focus somewhere (the new copy, the moved card, a neighbour, the delete
  // dialog) keeps it there: the menu must not hand focus back to its ⋯ button as it closes.
  const focusMoved = useRef(false);
  return (
    <DropdownMenu open={open} onOpenChange={(next) => commands.openMenu(next ? stepId : null)} modal={false}>
      <DropdownMenuTrigger
        aria-label={`Step actions for ${label}`}
        title="Step actions (right-click the card)"
        onClick={(event) => event.stopPropagation()}
        className={TRIGGER_CLASSES}
      >
        <CardIcon name="more" className="size-4" />
      </DropdownMenuTrigger>
      <DropdownMenuContent
        align="end"
        aria-label={`Actions for ${label}`}
        onClick={(event) => event.stopPropagation()}
        onCloseAutoFocus={(event) => {
          if (focusMoved.current) event.preventDefault();
          focusMoved.current = false;
        }}
      >
        {groups.map((group, index) => (
          <div key={group[0]!.intent} role="none">
            {index > 0 && <DropdownMenuSeparator />}
            {group.map(({ intent, label: itemLabel }) => (
              <DropdownMenuItem
                key={intent}
                aria-keyshortcuts={ariaShortcut(intent)}
                onSelect={() => {
                  focusMoved.current = intent !== 'copy';
                  commands.run(stepId, intent);
                }}
                className={intent === 'delete' ? 'text-danger data-highlighted:bg-danger-soft' : undefined}
              >
                <span className="flex-1">{itemLabel}</span>
                <kbd className="font-sans text-[11px] text-ink-faint">{CARD_SHORTCUTS[intent]}</kbd>
              </DropdownMenuItem>
            ))}
          </div>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** The shortcut as aria-keyshortcuts spells it (`Control+D`, `Alt+ArrowUp`, `Delete`). */
function ariaShortcut(intent: TCardIntent & TMenuCommand): string {
  return CARD_SHORTCUTS[intent]
    .replace('Ctrl', 'Control')
    .replace('↑', 'ArrowUp')
    .replace('↓', 'ArrowDown')
    .replace('Del', 'Delete');
}
