/** What a key pressed on a focused step card asks for; the designer carries it out. */
export type TCardIntent =
  | 'select'
  | 'focus-next'
  | 'focus-previous'
  | 'expand'
  | 'collapse'
  | 'move-down'
  | 'move-up'
  | 'duplicate'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'delete'
  | 'menu';

type TKeyPress = { key: string; altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey?: boolean };

/**
 * The card's keyboard map: Enter/Space select, arrows walk the cards, Alt+arrows move the
 * step, ArrowRight/ArrowLeft open and collapse a block (as in a tree), Ctrl/⌘ + D, C, X, V duplicate, copy, cut and paste after it, Delete/Backspace delete
 * (after a confirmation), the context-menu key or Shift+F10 open the card's menu. Read only,
 * only selecting, walking, the menu and copying are left. Null: the key is not the card's.
 */
export function cardKeyIntent(press: TKeyPress, readOnly: boolean): TCardIntent | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key.toLowerCase();
  const arrow = press.key === 'ArrowDown' ? 'down' : press.key === 'ArrowUp' ? 'up' : null;
  if (press.key === 'Enter' || press.key === ' ') return 'select';
  if (press.key === 'ContextMenu' || (press.key === 'F10' && press.shiftKey)) return 'menu';
  if (arrow && !press.altKey && !mod) return arrow === 'down' ? 'focus-next' : 'focus-previous';
  if (!press.altKey && !mod && press.key === 'ArrowRight') return 'expand';
  if (!press.altKey && !mod && press.key === 'ArrowLeft') return 'collapse';
  if (mod && key === 'c') return 'copy';
  if (readOnly) return null;
  if (arrow && press.altKey) return arrow === 'down' ? 'move-down' : 'move-up';
  if (mod && key === 'd') return 'duplicate';
  if (mod && key === 'x') return 'cut';
  if (mod && key === 'v') return 'paste';
  if (press.key === 'Delete' || press.key === 'Backspace') return 'delete';
  return null;
}

/** The shortcut shown beside each command in the card's menu (Ctrl reads ⌘ on a Mac too). */
export const CARD_SHORTCUTS = {
  duplicate: 'Ctrl+D',
  copy: 'Ctrl+C',
  cut: 'Ctrl+X',
  paste: 'Ctrl+V',
  'move-up': 'Alt+↑',
  'move-down': 'Alt+↓',
  delete: 'Del',
} as const satisfies Partial<Record<TCardIntent, string>>;
