/** What a key pressed in the inbox list does (j/k or arrows move, Enter opens, x selects), or null. */
export type TInboxKeyAction = 'next' | 'previous' | 'open' | 'select';

/**
 * Maps a keydown to an inbox list action. Keys typed into a field, or with a modifier held
 * (the browser's and screen readers' shortcuts), are left alone.
 */
export function inboxKeyAction(event: {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  target: EventTarget | null;
}): TInboxKeyAction | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  const target = event.target as { tagName?: string; isContentEditable?: boolean } | null;
  const tag = target?.tagName?.toLowerCase();
  if (tag === 'input' || tag === 'textarea' || tag === 'select' || target?.isContentEditable) return null;
  switch (event.key) {
    case 'j':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'ArrowUp':
      return 'previous';
    case 'Enter':
      return 'open';
    case 'x':
      return 'select';
    default:
      return null;
  }
}
