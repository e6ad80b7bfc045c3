'use client';

import { MoreHorizontal } from 'lucide-react';
import { useRef } from 'react';
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

/**
 * A step card's "⋯" menu: every command the card's keys know, each with its shortcut, so they
 * can be found without knowing them. Right-click on the card (or the context-menu key, or
 * Shift+F10) opens the same menu: the canvas store says which card's menu is open.
 */
export function StepCardMenu({ stepId, label }: { stepId: string; label: string }) {
  const { store, readOnly, commands } = useCanvas();
  const open = useCanvasSelector(store, (state) => state.menuFor === stepId);
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
        className="flex size-7 shrink-0 items-center justify-center rounded text-ink-faint hover:bg-subtle hover:text-ink focus-visible:ring-2 focus-visible:ring-accent focus-visible:outline-none data-[state=open]:bg-subtle data-[state=open]:text-ink"
      >
        <MoreHorizontal className="size-4" aria-hidden />
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
