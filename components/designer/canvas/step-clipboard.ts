import { z } from 'zod';
import { ZStep, type TStep } from '@/model/definition/step';

/**
 * Steps on the clipboard, as JSON text: `{ "pipewright": "steps", "steps": [ … ] }`. Being
 * text, it moves between workflows, tabs and browsers, and into a definition file. A paste
 * also takes a bare step object or an array of steps (copied out of a definition by hand).
 */
export const CLIPBOARD_KIND = 'steps';
const FALLBACK_KEY = 'pipewright.step-clipboard';

const ZClipboardSteps = z.union([
  z.object({ pipewright: z.literal(CLIPBOARD_KIND), steps: z.array(ZStep).min(1, 'no steps in it') }).strict(),
  z.array(ZStep).min(1, 'no steps in it'),
  ZStep,
]);

/** The clipboard text for some steps. */
export function stepsToClipboardText(steps: readonly TStep[]): string {
  return JSON.stringify({ pipewright: CLIPBOARD_KIND, steps }, null, 2);
}

export type TParsedClipboard = { ok: true; steps: TStep[] } | { ok: false; message: string };

/** Reads clipboard text as steps, or says in one sentence why it is not (nothing is changed then). */
export function parseClipboardSteps(text: string): TParsedClipboard {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'The clipboard is empty: copy a step first.' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : String(error);
    return { ok: false, message: `The clipboard does not hold steps: it is not JSON (${reason}).` };
  }
  const parsed = ZClipboardSteps.safeParse(value);
  if (!parsed.success) {
    // The union's best guess: the wrapper when it names itself, else one step (or a list of them).
    const wrapped = typeof value === 'object' && value !== null && 'pipewright' in value;
    const schema = wrapped
      ? ZClipboardSteps.options[0]
      : Array.isArray(value)
        ? ZClipboardSteps.options[1]
        : ZClipboardSteps.options[2];
    const issue = schema.safeParse(value).error?.issues[0];
    const where = issue && issue.path.length ? `${issue.path.join('.')}: ` : '';
    return {
      ok: false,
      message: `The clipboard does not hold Pipewright steps (${where}${issue?.message ?? 'not a step'}).`,
    };
  }
  const data = parsed.data;
  return { ok: true, steps: Array.isArray(data) ? data : 'pipewright' in data ? data.steps : [data] };
}

/**
 * Writes the steps to the system clipboard; when the browser refuses (no permission, not a
 * secure context) they are kept in this browser's storage instead, which other tabs of the
 * same browser read back. Says which one it used.
 */
export async function writeStepClipboard(steps: readonly TStep[]): Promise<'system' | 'browser'> {
  const text = stepsToClipboardText(steps);
  window.localStorage.setItem(FALLBACK_KEY, text);
  if (!navigator.clipboard?.writeText) return 'browser';
  try {
    await navigator.clipboard.writeText(text);
    return 'system';
  } catch (error) {
    if (error instanceof DOMException) return 'browser'; // NotAllowedError: kept in this browser only
    throw error;
  }
}

/**
 * The clipboard's text: the system clipboard's when the browser lets the page read it, else
 * what the last copy in this browser kept (permission denied, or no clipboard API).
 */
export async function readStepClipboard(): Promise<{ text: string; from: 'system' | 'browser' }> {
  const kept = window.localStorage.getItem(FALLBACK_KEY) ?? '';
  if (!navigator.clipboard?.readText) return { text: kept, from: 'browser' };
  try {
    return { text: await navigator.clipboard.readText(), from: 'system' };
  } catch (error) {
    if (error instanceof DOMException) return { text: kept, from: 'browser' };
    throw error;
  }
}
