/**
 * Built-ins whose cost is bounded by their input without a regex or a callback: linear string
 * and number work, and `$pad`/`$join`, which the guards replace with size-checked versions.
 * `$match`, `$replace`, `$split` and friends are left out, although a regex can only come from
 * a regex literal (refused below), to keep the list easy to check.
 */
const BOUNDED_BUILTINS = new Set([
  'string',
  'length',
  'substring',
  'substringBefore',
  'substringAfter',
  'uppercase',
  'lowercase',
  'trim',
  'pad',
  'contains',
  'join',
  'number',
  'abs',
  'floor',
  'ceil',
  'round',
  'sqrt',
  'formatNumber',
  'formatInteger',
  'parseInteger',
  'sum',
  'max',
  'min',
  'average',
  'count',
  'exists',
  'boolean',
  'not',
  'type',
  'keys',
  'lookup',
  'append',
  'reverse',
  'distinct',
  'merge',
  'spread',
  'values',
  'now',
  'millis',
  'fromMillis',
  'toMillis',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
]);

/** Node types that need the worker: a regex can backtrack in native code; callbacks and transforms are left to it too. */
const WORKER_ONLY_NODES = new Set(['regex', 'lambda', 'partial', 'transform']);

type TAstNode = { type?: unknown; procedure?: { type?: unknown; value?: unknown }; [key: string]: unknown };

/**
 * Whether an expression may be evaluated on the caller's thread: every way it could run
 * native code that no in-thread check interrupts (a regex, a built-in outside the bounded
 * list) sends it to the worker pool instead. What stays in-thread is still under jsonata's
 * time, depth and sequence guardrails, the intermediate-size hook and the output copy; those
 * checks run at every node, and nothing in-thread runs long between two nodes.
 */
export function runsInThread(ast: unknown): boolean {
  const stack: unknown[] = [ast];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const { type, procedure } = node as TAstNode;
    if (typeof type === 'string' && WORKER_ONLY_NODES.has(type)) return false;
    // `$string := $replace` would make a "bounded" name call something else.
    if (type === 'bind' && isBoundedBuiltin((node as TAstNode).lhs)) return false;
    if (type === 'function' || type === 'apply') {
      // A call names a bounded built-in directly; a variable bound to a function, or any
      // other callee, goes to the worker.
      const callee = type === 'function' ? procedure : (node as TAstNode).rhs;
      if (!isBoundedBuiltin(callee)) return false;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'position' && typeof value === 'object' && value !== null) stack.push(value);
    }
  }
  return true;
}

function isBoundedBuiltin(callee: unknown): boolean {
  if (typeof callee !== 'object' || callee === null) return false;
  const { type, value } = callee as TAstNode;
  return type === 'variable' && typeof value === 'string' && BOUNDED_BUILTINS.has(value);
}
