import { joinPath } from '@/model/definition/problem';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import type { TOutputSchemas, TScopeEntry } from '@/model/designer/expression-scope';
import { impliedParents, indexOfEntries, type TScopeIndex } from '@/model/designer/scope-index';
import { fromSchema, quoteName, writesAfter, type TWriteTarget } from '@/model/designer/scope-writes';
import { nestedPipes, type TNestedPipe } from '@/model/designer/step-tree';

const META_FIELDS: Array<[string, string]> = [
  ['runId', 'string'],
  ['workflowKey', 'string'],
  ['version', 'integer'],
  ['tenantId', 'string'],
  ['startedAt', 'string'],
  ['trigger', 'object'],
  ['trigger.type', 'string'],
  ['stepId', 'string'],
  ['attempt', 'integer'],
  ['state', 'string'],
];
const ERROR_FIELDS: Array<[string, string | null]> = [
  ['code', 'string'],
  ['message', 'string'],
  ['stepId', 'string'],
  ['details', null],
];

/**
 * What steps have written under `vars`, as a layer over the scope of the block around: a nested
 * pipe starts a new layer instead of copying the map, so entering a pipe costs nothing and a
 * path is found in as many lookups as the pipe is deep. It keeps the parents its paths imply
 * (`vars.a.b` → `vars.a`) up to date, each taken from the path that sorts first under it, as
 * the scope's list (sorted by path) would give it.
 */
class LayeredVars implements TWriteTarget {
  private readonly own = new Map<string, TScopeEntry>();
  /** Implied parent → the written path it is taken from. */
  private readonly implied = new Map<string, string>();

  constructor(private readonly parent: LayeredVars | null) {}

  get(path: string): TScopeEntry | undefined {
    return this.own.get(path) ?? this.parent?.get(path);
  }

  set(path: string, entry: TScopeEntry): void {
    if (!this.get(path))
      for (const { parent } of impliedParents(path)) {
        const current = this.impliedSource(parent);
        if (current === undefined || path.localeCompare(current) < 0) this.implied.set(parent, path);
      }
    this.own.set(path, entry);
  }

  /** The parent `path` that a written path implies, typed by the cut under it, or undefined. */
  getImplied(path: string): TScopeEntry | undefined {
    const source = this.impliedSource(path);
    if (source === undefined) return undefined;
    return { ...this.get(source)!, path, type: source[path.length] === '[' ? 'array' : 'object' };
  }

  /** Every entry, in the order the paths were first written (a deeper layer's value wins). */
  entries(): TScopeEntry[] {
    return [...this.merged().values()];
  }

  private merged(): Map<string, TScopeEntry> {
    const merged = this.parent ? this.parent.merged() : new Map<string, TScopeEntry>();
    for (const [path, entry] of this.own) merged.set(path, entry);
    return merged;
  }

  private impliedSource(path: string): string | undefined {
    return this.implied.get(path) ?? this.parent?.impliedSource(path);
  }
}

/** The scope at one point of the walk: what `vars` holds there and the facts that decide `error` and `$item`. */
type TWalkState = {
  vars: LayeredVars;
  /** Writes from here on happen on only some paths (inside a branch, a try or a catch). */
  maybe: boolean;
  inCatch: boolean;
  afterContinue: boolean;
  iteration: TStep | null;
};

/** The scope a visited step's expressions read; use it during the visit (the walk goes on writing after it). */
export type TStepScope = {
  /** The scope of one config field (`collect` of a forEach and `branches[i].result` of a parallel are read inside). */
  index(field?: string): TScopeIndex;
  /** The scope as a list, as the field picker shows it: payload, vars (sorted), env, meta, error, bindings. */
  entries(field?: string): TScopeEntry[];
};

/** What a visit asks of the walk next: go on into the step's pipes, skip them, or stop. */
export type TVisitDecision = void | 'skip' | 'stop';

type TDefinition = Pick<TVersionDocumentInput, 'parameterSchema' | 'env' | 'steps'>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entries that do not depend on where a step is: payload, env, meta, and the `vars` root. */
function fixedEntries(definition: TDefinition) {
  const payload = fromSchema('payload', definition.parameterSchema ?? { type: 'object' }).map(
    ({ path, type }): TScopeEntry => ({ path, source: 'payload', type, detail: 'parameter schema', maybe: false }),
  );
  const varsRoot: TScopeEntry = {
    path: 'vars',
    source: 'vars',
    type: 'object',
    detail: 'the run’s working state',
    maybe: false,
  };
  const env = Object.keys(definition.env?.vars ?? {}).map((name): TScopeEntry => ({
    path: `env.${quoteName(name)}`,
    source: 'env',
    type: 'string',
    detail: 'env var',
    maybe: false,
  }));
  const meta = META_FIELDS.map(([name, type]): TScopeEntry => ({
    path: `meta.${name}`,
    source: 'meta',
    type,
    detail: 'run facts',
    maybe: false,
  }));
  const errorEntries = (inCatch: boolean) =>
    ERROR_FIELDS.map(([name, type]): TScopeEntry => ({
      path: `error.${name}`,
      source: 'error',
      type,
      detail: inCatch ? 'the error caught by this try/catch' : 'the error of a step that continued on error',
      maybe: !inCatch,
    }));
  const caught = errorEntries(true);
  const continued = errorEntries(false);
  return {
    payload,
    varsRoot,
    after: [...env, ...meta],
    /** payload, env and meta by path (implied parents included), built once per walk. */
    fixed: indexOfEntries([...payload, varsRoot, ...env, ...meta]),
    errors: { caught, continued, caughtIndex: indexOfEntries(caught), continuedIndex: indexOfEntries(continued) },
  };
}

function bindingsOf(iteration: TStep): TScopeEntry[] {
  return [
    { path: '$item', source: 'binding', type: null, detail: `the current item of ${iteration.id}`, maybe: false },
    {
      path: '$index',
      source: 'binding',
      type: 'integer',
      detail: `its position (from 0) in ${iteration.id}`,
      maybe: false,
    },
  ];
}

/**
 * Walks a definition once, in document order, calling `visit` for every step with the scope its
 * expressions read (SPEC §4.2: `vars` written by the steps that ran before it on the way here,
 * `error` inside a catch or after a step that continues on error, `$item` inside a forEach),
 * and returns the scope after the top-level pipe (what the workflow's output reads). Each
 * step's writes are added once, as the walk passes it, so the whole walk costs about the steps
 * times their depth, where computing each step's scope on its own cost the steps squared.
 *
 * @example walkScopes({ definition, outputSchemas, visit: (step, path, scope) => scope.index().get('vars.total') })
 */
export function walkScopes({
  definition,
  outputSchemas = {},
  visit = () => undefined,
}: {
  definition: TDefinition;
  outputSchemas?: TOutputSchemas;
  visit?: (step: TStep, path: string, scope: TStepScope) => TVisitDecision;
}): TStepScope {
  const fixed = fixedEntries(definition);

  const indexOf = (state: TWalkState): TScopeIndex => {
    const errors = state.inCatch ? fixed.errors.caughtIndex : state.afterContinue ? fixed.errors.continuedIndex : null;
    const bindings = state.iteration ? indexOfEntries(bindingsOf(state.iteration)) : null;
    return {
      // Later entries of the list win a shared path, as in indexOfEntries; the roots keep them apart anyway.
      get: (path) =>
        bindings?.get(path) ??
        errors?.get(path) ??
        (path.startsWith('vars') ? state.vars.get(path) : undefined) ??
        fixed.fixed.get(path) ??
        state.vars.getImplied(path),
      hasError: errors !== null,
      childrenOf: (path) => indexOfEntries(entriesOf(state)).childrenOf(path),
    };
  };

  const entriesOf = (state: TWalkState): TScopeEntry[] => [
    ...fixed.payload,
    fixed.varsRoot,
    ...state.vars.entries().sort((a, b) => a.path.localeCompare(b.path)),
    ...fixed.after,
    ...(state.inCatch ? fixed.errors.caught : state.afterContinue ? fixed.errors.continued : []),
    ...(state.iteration ? bindingsOf(state.iteration) : []),
  ];

  /** A forEach's `collect` reads inside the iteration, a parallel branch's `result` inside its branch. */
  const stateForField = (state: TWalkState, step: TStep, field: string | undefined): TWalkState => {
    if (step.type === 'control.forEach' && field !== undefined && field.startsWith('collect')) {
      const vars = new LayeredVars(state.vars);
      for (const inner of nestedPipes(step)[0]?.steps ?? []) writesAfter(inner, outputSchemas, false, vars);
      return { ...state, vars, iteration: step };
    }
    const branchField = /^branches\[(\d+)\]\.result/.exec(field ?? '');
    if (step.type === 'control.parallel' && branchField) {
      const vars = new LayeredVars(state.vars);
      for (const inner of nestedPipes(step)[Number(branchField[1])]?.steps ?? [])
        writesAfter(inner, outputSchemas, false, vars);
      return { ...state, vars };
    }
    return state;
  };

  const scopeOf = (state: TWalkState, step: TStep | null): TStepScope => ({
    index: (field) => indexOf(step ? stateForField(state, step, field) : state),
    entries: (field) => entriesOf(step ? stateForField(state, step, field) : state),
  });

  /** The scope at the start of one of `block`'s pipes. */
  const enterPipe = (state: TWalkState, block: TStep, pipe: TNestedPipe): TWalkState => {
    const inner: TWalkState = { ...state, vars: new LayeredVars(state.vars) };
    if (pipe.role === 'catch') {
      inner.inCatch = true;
      // The try block ran (partly) before catch: what it wrote may be there.
      const tryPipe = nestedPipes(block).find((other) => other.role === 'try');
      for (const step of tryPipe?.steps ?? []) writesAfter(step, outputSchemas, true, inner.vars);
    }
    if (pipe.role === 'finally')
      for (const other of nestedPipes(block).filter(
        (candidate) => candidate.role === 'try' || candidate.role === 'catch',
      ))
        for (const step of other.steps) writesAfter(step, outputSchemas, true, inner.vars);
    if (pipe.role === 'iteration') inner.iteration = block;
    if (pipe.role === 'branch' || pipe.role === 'try' || pipe.role === 'catch') inner.maybe = true;
    return inner;
  };

  /** Walks one pipe; true when a visit stopped the walk. */
  const walkPipe = (steps: readonly unknown[], base: string, state: TWalkState): boolean => {
    for (const [index, item] of steps.entries()) {
      // A draft may hold anything at the top level: a malformed step is the shape check's problem.
      if (!isObject(item)) continue;
      const step = item as TStep;
      const path = joinPath(base, index);
      const decision = visit(step, path, scopeOf(state, step));
      if (decision === 'stop') return true;
      if (decision !== 'skip')
        for (const pipe of nestedPipes(step))
          if (walkPipe(pipe.steps, joinPath(joinPath(path, 'config'), pipe.path), enterPipe(state, step, pipe)))
            return true;
      writesAfter(step, outputSchemas, state.maybe, state.vars);
      if (!step.disabled && step.onError === 'continue') state.afterContinue = true;
    }
    return false;
  };

  const top: TWalkState = {
    vars: new LayeredVars(null),
    maybe: false,
    inCatch: false,
    afterContinue: false,
    iteration: null,
  };
  walkPipe(Array.isArray(definition.steps) ? definition.steps : [], 'steps', top);
  return scopeOf(top, null);
}
