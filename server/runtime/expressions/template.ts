import { checkExpressionSyntax } from './check-expression-syntax';
import { evaluateExpression } from './evaluate-expression';
import { ExpressionError } from './expression-error';
import type { TExpressionBindings, TExpressionEnvelope } from './expression-envelope';
import { EXPRESSION_LIMITS } from './expression-limits';

/** A piece of a `{ "$template": "…" }`: literal text, or a JSONata expression with its offset in the template. */
export type TTemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; source: string; offset: number };
export type TTemplateCheck = { ok: true } | { ok: false; message: string; offset: number };

const QUOTES = new Set(['"', "'", '`']);

/**
 * Splits a template into text and `{{ expression }}` parts (SPEC §9). `\{{` is a literal `{{`.
 * An expression ends at the first `}}` outside its own strings and braces, so
 * `{{ {"a": {"b": 1}} }}` is one expression.
 */
export function parseTemplate(
  source: string,
): { ok: true; parts: TTemplatePart[] } | { ok: false; message: string; offset: number } {
  const parts: TTemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('\\{{', i)) {
      text += '{{';
      i += 3;
    } else if (source.startsWith('{{', i)) {
      const start = i + 2;
      const end = findClose(source, start);
      if (end === -1)
        return { ok: false, message: 'This "{{" has no closing "}}" (write \\{{ for a literal "{{")', offset: i };
      if (source.slice(start, end).trim() === '')
        return { ok: false, message: 'Empty {{ }}: write an expression inside', offset: i };
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'expr', source: source.slice(start, end), offset: start });
      i = end + 2;
    } else {
      text += source[i];
      i += 1;
    }
  }
  if (text) parts.push({ kind: 'text', text });
  return { ok: true, parts };
}

function findClose(source: string, from: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < source.length; i++) {
    const char = source[i]!;
    if (quote) {
      if (char === '\\') i += 1;
      else if (char === quote) quote = null;
    } else if (QUOTES.has(char)) {
      quote = char;
    } else if (char === '{') {
      depth += 1;
    } else if (char === '}') {
      if (depth === 0 && source[i + 1] === '}') return i;
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

/** Publish-time check: every `{{ }}` parses; a problem's offset points into the template. */
export function checkTemplateSyntax(source: string): TTemplateCheck {
  const parsed = parseTemplate(source);
  if (!parsed.ok) return parsed;
  for (const part of parsed.parts) {
    if (part.kind !== 'expr') continue;
    const check = checkExpressionSyntax(part.source);
    // jsonata's positions count from 1 at the expression's first character.
    if (!check.ok)
      return { ok: false, message: check.message, offset: part.offset + Math.max(0, (check.position ?? 1) - 1) };
  }
  return { ok: true };
}

/** How a value is written into the text: strings as they are, null/missing as nothing, the rest as JSON. */
function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

/**
 * Renders a template against the envelope. All of its expressions share the expression time
 * limit, and the text it makes is held to the expression string limit; breaking either is the
 * same non-retryable EXPRESSION error an expression gets.
 *
 * @example await renderTemplate({ source: 'Dear {{ payload.name }}', envelope }) // 'Dear Ada'
 */
export async function renderTemplate(input: {
  source: string;
  envelope: TExpressionEnvelope;
  bindings?: TExpressionBindings;
  stepId?: string;
}): Promise<string> {
  const parsed = parseTemplate(input.source);
  if (!parsed.ok)
    throw new ExpressionError(`template at offset ${parsed.offset}: ${parsed.message}`, {
      stepId: input.stepId,
      position: parsed.offset,
    });
  const deadline = Date.now() + EXPRESSION_LIMITS.timeMs;
  let out = '';
  for (const part of parsed.parts) {
    if (part.kind === 'text') {
      out += part.text;
    } else {
      const timeMs = deadline - Date.now();
      if (timeMs <= 0)
        throw new ExpressionError(`template exceeded the time limit of ${EXPRESSION_LIMITS.timeMs} ms`, {
          stepId: input.stepId,
          limit: 'timeMs',
        });
      try {
        out += show(
          await evaluateExpression({
            source: part.source,
            envelope: input.envelope,
            bindings: input.bindings,
            limits: { timeMs },
          }),
        );
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        const message = `template at offset ${part.offset}: ${error.message}`;
        throw new ExpressionError(message, {
          stepId: input.stepId,
          limit: error.limit,
          position: part.offset + (error.position ?? 0),
        });
      }
    }
    if (out.length > EXPRESSION_LIMITS.maxStringLength) {
      const message = `template exceeded the string length limit of ${EXPRESSION_LIMITS.maxStringLength} characters`;
      throw new ExpressionError(message, { stepId: input.stepId, limit: 'maxStringLength' });
    }
  }
  return out;
}
