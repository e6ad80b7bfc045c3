/**
 * Undo/redo over whole values (the designer keeps definitions immutable, so a snapshot is a
 * pointer). Consecutive edits with the same `group` (typing into one field of one step) within
 * `GROUP_WINDOW_MS` become one undo step, so Ctrl+Z undoes a word, not a letter.
 */
export type THistory<T> = { past: T[]; present: T; future: T[]; lastGroup: string | null; lastAt: number };

export const GROUP_WINDOW_MS = 1000;
const LIMIT = 200;

export function createHistory<T>(present: T): THistory<T> {
  return { past: [], present, future: [], lastGroup: null, lastAt: 0 };
}

/** Records `next` as the present; `group` merges it into the previous entry when it is the same and recent. */
export function pushHistory<T>(
  history: THistory<T>,
  next: T,
  { group = null, now = Date.now() }: { group?: string | null; now?: number } = {},
): THistory<T> {
  if (next === history.present) return history;
  const merge = group !== null && group === history.lastGroup && now - history.lastAt < GROUP_WINDOW_MS;
  const past = merge ? history.past : [...history.past, history.present].slice(-LIMIT);
  return { past, present: next, future: [], lastGroup: group, lastAt: now };
}

export function undoHistory<T>(history: THistory<T>): THistory<T> {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return {
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
    lastGroup: null,
    lastAt: 0,
  };
}

export function redoHistory<T>(history: THistory<T>): THistory<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest, lastGroup: null, lastAt: 0 };
}
