import jsonata from 'jsonata';

/** A name path an expression reads from the envelope: `vars.invoice.status` as `['vars', 'invoice', 'status']`. */
export type TRead = { segments: string[]; /** 0-based offset of the path's end in the source. */ end: number };

/** The envelope's top-level names an expression can start a path with (SPEC §4.2). */
export const ENVELOPE_ROOTS = ['payload', 'vars', 'env', 'meta', 'error'] as const;
const ROOTS: ReadonlySet<string> = new Set(ENVELOPE_ROOTS);

type TNode = Record<string, unknown>;

function isNode(value: unknown): value is TNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads by source, most recently used last. jsonata builds its whole parser (every operator's
 * symbol) on each parse, about a millisecond, and the designer's live check re-reads every
 * expression of the definition after each edit, so an unchanged expression is parsed once.
 */
const readsBySource = new Map<string, readonly TRead[] | null>();
const READS_CACHED = 5_000;
/** Result types by source (expressionType), emptied when full. */
const typeCache = new Map<string, string | null>();
const TYPE_CACHE_SIZE = 5_000;

/** Forgets every cached parse, reads and types (for benches that time a cold check). */
export function clearExpressionReadsCache(): void {
  readsBySource.clear();
  typeCache.clear();
}

/**
 * The envelope paths a JSONata expression reads, from its syntax tree (parsed, never
 * evaluated; cached by source, so the result is shared and must not be changed). Only paths anchored at the envelope count: `vars.a.b` and `$sum(vars.lines.price)`,
 * not the relative names inside a filter or a `.( … )` step, whose context is an item.
 * Null when the source does not parse.
 *
 * @example expressionReads('$sum(vars.lines.price) > payload.limit')
 * // [{ segments: ['vars', 'lines', 'price'], end: 21 }, { segments: ['payload', 'limit'], end: 37 }]
 */
export function expressionReads(source: string): readonly TRead[] | null {
  const cached = readsBySource.get(source);
  if (cached !== undefined || readsBySource.has(source)) {
    readsBySource.delete(source);
    readsBySource.set(source, cached ?? null);
    return cached ?? null;
  }
  parseExpression(source);
  return readsBySource.get(source) ?? null;
}

/** Parses a source once for both caches: its reads and its type come from the same syntax tree. */
function parseExpression(source: string): void {
  let ast: unknown;
  try {
    ast = jsonata(source).ast();
  } catch (error) {
    if (isNode(error) && typeof error.message === 'string') return rememberExpressionAst(source, null);
    throw error;
  }
  rememberExpressionAst(source, ast);
}

/**
 * Keeps what the data flow check needs of an expression from a syntax tree parsed elsewhere
 * (the publish check's syntax check parses every expression first), so the source is not
 * parsed again; `ast` is jsonata(source).ast(), or null when the source does not parse.
 */
export function rememberExpressionAst(source: string, ast: unknown): void {
  readsBySource.delete(source);
  readsBySource.set(source, ast === null ? null : readsOf(ast));
  if (readsBySource.size > READS_CACHED) readsBySource.delete(readsBySource.keys().next().value!);
  if (typeCache.size >= TYPE_CACHE_SIZE) typeCache.clear();
  typeCache.set(source, ast === null ? null : typeOfNode(ast));
}

function readsOf(ast: unknown): TRead[] {
  const reads: TRead[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isNode(node)) return;
    if (node.type === 'path' && Array.isArray(node.steps)) {
      const steps = node.steps.filter(isNode);
      const first = steps[0];
      if (first?.type === 'name' && typeof first.value === 'string' && ROOTS.has(first.value)) {
        const segments: string[] = [];
        let end = 0;
        for (const step of steps) {
          if (step.type !== 'name' || typeof step.value !== 'string') break;
          segments.push(step.value);
          end = typeof step.position === 'number' ? step.position : end;
          // A filter or index on a step keeps the name chain meaningful, but what follows is per item.
          if (Array.isArray(step.stages) && step.stages.length > 0) break;
        }
        reads.push({ segments, end });
        return;
      }
      // A path that does not start at the envelope: only its first step is evaluated against it.
      if (first && first.type !== 'name') visit(first);
      return;
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'position') visit(child);
  };
  visit(ast);
  return reads;
}

/** One `{{ }}` part of a template: its source and where it starts in the template text. */
export type TTemplatePart = { source: string; offset: number };

/**
 * The `{{ … }}` expressions of a `$template` string (SPEC §9: `\{{` is a literal `{{`); an
 * unclosed `{{` ends the scan (the publish check reports it).
 */
export function templateExpressions(template: string): TTemplatePart[] {
  const parts: TTemplatePart[] = [];
  let index = 0;
  while (index < template.length) {
    const open = template.indexOf('{{', index);
    if (open === -1) break;
    if (open > 0 && template[open - 1] === '\\') {
      index = open + 2;
      continue;
    }
    const close = template.indexOf('}}', open + 2);
    if (close === -1) break;
    parts.push({ source: template.slice(open + 2, close), offset: open + 2 });
    index = close + 2;
  }
  return parts;
}

const RETURNS: Record<string, string> = Object.fromEntries([
  ...'sum count max min average number length abs floor ceil round power sqrt random millis toMillis parseInteger'
    .split(' ')
    .map((name) => [name, 'number']),
  ...'string uppercase lowercase trim pad substring substringBefore substringAfter join replace now fromMillis formatNumber formatBase formatInteger base64encode base64decode encodeUrl encodeUrlComponent decodeUrl decodeUrlComponent type'
    .split(' ')
    .map((name) => [name, 'string']),
  ...'boolean not exists contains'.split(' ').map((name) => [name, 'boolean']),
  ...'keys split append sort reverse shuffle distinct zip'.split(' ').map((name) => [name, 'array']),
  ['merge', 'object'],
  ['spread', 'array'],
]);

/** The JSON type a JSONata syntax tree yields when it yields anything, or null when that takes a run to know. */
function typeOfNode(node: unknown): string | null {
  if (!isNode(node)) return null;
  switch (node.type) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'value':
      return node.value === null ? 'null' : typeof node.value === 'boolean' ? 'boolean' : null;
    case 'binary':
      if (typeof node.value !== 'string') return null;
      if (['+', '-', '*', '/', '%'].includes(node.value)) return 'number';
      if (['=', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in'].includes(node.value)) return 'boolean';
      return node.value === '&' ? 'string' : null;
    case 'unary':
      if (node.value === '-') return 'number';
      if (node.value === '{') return 'object';
      return node.value === '[' ? 'array' : null;
    case 'condition': {
      const then = typeOfNode(node.then);
      const otherwise = node.else === undefined ? null : typeOfNode(node.else);
      if (then === null || otherwise === null) return null;
      return then === otherwise ? then : `${then} | ${otherwise}`;
    }
    case 'function': {
      const procedure = isNode(node.procedure) ? node.procedure : null;
      return procedure?.type === 'variable' && typeof procedure.value === 'string'
        ? (RETURNS[procedure.value] ?? null)
        : null;
    }
    default:
      return null;
  }
}

/**
 * The type of a JSONata expression's result where its syntax alone says (a literal, arithmetic,
 * a comparison, `&`, an object or array constructor, a built-in function with one return type),
 * else null. Paths are not followed here: the scope types those.
 *
 * @example expressionType('$sum(vars.lines.price) * 1.2') // 'number'
 */
export function expressionType(source: string): string | null {
  const known = typeCache.get(source);
  if (known !== undefined) return known;
  parseExpression(source);
  return typeCache.get(source) ?? null;
}
