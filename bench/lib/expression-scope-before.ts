/**
 * The typed data flow check as it was before the one-pass scope walk (issue #16): each step's
 * scope computed by walking the definition again, so the check was quadratic in steps. Kept,
 * unchanged, as the reference the new check's warnings are compared with
 * (model/designer/check-data-flow-equivalence.test.ts) and the bench's "before" figure
 * (bench/data-flow-check.ts). Not used by the app.
 */
import type { TStep } from '@/model/definition/step';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { expressionType } from '@/model/designer/expression-reads';
import { findStepTrail, nestedPipes, type TAncestor } from '@/model/designer/step-tree';
import { nodeShapeOf } from '@/model/nodes/node-shapes';

/** Where a name in the field picker comes from. */
export type TScopeSource = 'payload' | 'vars' | 'env' | 'meta' | 'error' | 'binding';

export type TScopeEntry = {
  /** What to insert into an expression: `payload.amount`, `vars.invoice.body`, `$item`. */
  path: string;
  source: TScopeSource;
  /** A JSON Schema type when known (`string`, `object`…), else null. */
  type: string | null;
  /** Where it comes from, for people: "parameter schema", "saved by fetch-invoice". */
  detail: string;
  /** Written on only some paths to here (inside an if/switch branch, a try, or a step that may fail and continue). */
  maybe: boolean;
};

type TSchema = Record<string, unknown>;

/** JSON Schemas of what steps produce, keyed by node type and by action ref (`http.request@1`), from the registry. */
export type TOutputSchemas = { nodes?: Record<string, TSchema>; actions?: Record<string, TSchema> };

const MAX_DEPTH = 4;

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(schema: TSchema): string | null {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.filter((t) => t !== 'null').join(' | ') || null;
  if (isObject(schema.properties)) return 'object';
  return null;
}

/** `base` and every property under it, from a JSON Schema (objects, and array items as `base.field`). */
function fromSchema(base: string, schema: unknown, depth = 0): Array<{ path: string; type: string | null }> {
  if (!isObject(schema)) return [{ path: base, type: null }];
  const out = [{ path: base, type: typeOf(schema) }];
  if (depth >= MAX_DEPTH) return out;
  const objectSchema = schema.type === 'array' && isObject(schema.items) ? schema.items : schema;
  if (isObject(objectSchema.properties)) {
    for (const [name, child] of Object.entries(objectSchema.properties))
      out.push(...fromSchema(`${base}.${quoteName(name)}`, child, depth + 1));
  }
  return out;
}

/** `base` and every key under a literal value (as a transform.assign writes it); expressions are opaque. */
function fromLiteral(base: string, value: unknown, depth = 0): Array<{ path: string; type: string | null }> {
  // An expression's type where its syntax says (`$sum(…)` is a number); a secret is a string.
  if (isObject(value) && typeof value.$expr === 'string') return [{ path: base, type: expressionType(value.$expr) }];
  if (isObject(value) && ('$template' in value || '$secret' in value)) return [{ path: base, type: 'string' }];
  if (Array.isArray(value)) return [{ path: base, type: 'array' }];
  if (!isObject(value)) return [{ path: base, type: value === null ? 'null' : typeof value }];
  const out: Array<{ path: string; type: string | null }> = [{ path: base, type: 'object' }];
  if (depth >= MAX_DEPTH) return out;
  for (const [name, child] of Object.entries(value))
    out.push(...fromLiteral(`${base}.${quoteName(name)}`, child, depth + 1));
  return out;
}

/** JSONata needs backticks around names that are not plain identifiers. */
function quoteName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `\`${name.replace(/`/g, '')}\``;
}

function configOf(step: TStep): Record<string, unknown> {
  return isObject(step.config) ? step.config : {};
}

/**
 * What one step writes under `vars` when it has run (not what its nested steps write), from its
 * node shape's `writesVars`, typed by what is known: a literal's keys, a schema the config
 * decides (a task's form), the saved action's or node type's output schema from the registry.
 */
function writesOf(step: TStep, schemas: TOutputSchemas): Array<{ path: string; type: string | null }> {
  const writes = nodeShapeOf(step.type)?.writesVars(configOf(step)) ?? [];
  return writes
    .filter((write) => write.path.startsWith('vars'))
    .flatMap((write) => {
      if ('literal' in write) return write.path.startsWith('vars.') ? fromLiteral(write.path, write.literal) : [];
      if (write.schema) return fromSchema(write.path, write.schema);
      if (write.actionRef !== undefined) return fromSchema(write.path, schemas.actions?.[write.actionRef]);
      return fromSchema(write.path, schemas.nodes?.[step.type]);
    });
}

/**
 * Everything a run has written under `vars` once `step` is done, nested steps included:
 * a forEach or parallel runs its pipes on copies of vars, so only its `saveAs` comes out.
 * Steps inside branches and try blocks, and steps that may fail and continue, are `maybe`.
 */
function writesAfter(step: TStep, schemas: TOutputSchemas, maybe: boolean, into: Map<string, TScopeEntry>): void {
  if (step.disabled) return;
  const stepMaybe = maybe || step.onError === 'continue';
  // A forEach or parallel runs its pipes on copies of vars: only its own write comes out.
  const block = nodeShapeOf(step.type)?.block;
  if (block !== 'forEach' && block !== 'parallel') {
    const pipes = nestedPipes(step);
    // One of an if's or switch's branches runs (an absent else or default is an empty one):
    // what every branch writes for certain is certain after the block.
    const branches = pipes.filter((pipe) => pipe.role === 'branch');
    if (branches.length > 0) {
      const written = branches.map((pipe) => {
        const inBranch = new Map<string, TScopeEntry>();
        for (const inner of pipe.steps) writesAfter(inner, schemas, false, inBranch);
        return inBranch;
      });
      for (const entries of written)
        for (const entry of entries.values()) {
          const everywhere = written.every((other) => other.get(entry.path)?.maybe === false);
          addWrite(into, entry, !stepMaybe && everywhere);
        }
    }
    for (const pipe of pipes.filter((candidate) => candidate.role !== 'branch')) {
      // `finally` always runs; everything else may or may not.
      for (const inner of pipe.steps) writesAfter(inner, schemas, stepMaybe || pipe.role !== 'finally', into);
    }
  }
  const detail = `set by ${step.name ? `“${step.name}”` : step.id}`;
  for (const { path, type } of writesOf(step, schemas))
    addWrite(into, { path, source: 'vars', type, detail, maybe: false }, !stepMaybe);
}

/**
 * Records a write: a path written for certain anywhere stays certain; the first writer names it;
 * two writers of different types (an if's branches) make the type their union, an unknown one unknown.
 */
function addWrite(into: Map<string, TScopeEntry>, entry: TScopeEntry, certain: boolean): void {
  const known = into.get(entry.path);
  if (!known) into.set(entry.path, { ...entry, maybe: !certain });
  else
    into.set(entry.path, {
      ...known,
      maybe: known.maybe && !certain,
      type: unionType(known.type, entry.type),
    });
}

/** `string` ∪ `number` = `string | number`; unknown absorbs everything. */
export function unionType(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return null;
  const parts = new Set([...a.split(' | '), ...b.split(' | ')]);
  return [...parts].join(' | ');
}

/**
 * What an expression inside step `stepId` can read (SPEC §4.2): `payload` fields from the
 * parameter schema, `vars` written by the steps that ran before it on the way here
 * (earlier siblings at every level, with nested keys and `saveAs` targets), `env` names,
 * `meta`, `error` inside a catch or after a step that continues on error, and `$item` /
 * `$index` inside a forEach. `field` is the config field being edited: a forEach's
 * `collect` and a parallel branch's `result` are evaluated inside the iteration/branch.
 *
 * @example computeExpressionScope({ definition, stepId: 'approve' }).map((e) => e.path)
 * // ['payload', 'payload.amount', …, 'vars.invoice', 'vars.invoice.status', …, 'env.ERP_URL', 'meta.runId', …]
 */
export function computeExpressionScope({
  definition,
  stepId,
  field,
  outputSchemas = {},
}: {
  definition: Pick<TVersionDocumentInput, 'parameterSchema' | 'env' | 'steps'>;
  stepId: string | null;
  field?: string;
  outputSchemas?: TOutputSchemas;
}): TScopeEntry[] {
  const steps = (definition.steps ?? []) as TStep[];
  const entries: TScopeEntry[] = fromSchema('payload', definition.parameterSchema ?? { type: 'object' }).map(
    ({ path, type }) => ({ path, source: 'payload', type, detail: 'parameter schema', maybe: false }),
  );

  const vars = new Map<string, TScopeEntry>();
  let inCatch = false;
  let iteration: TStep | null = null;
  let afterContinue = false;
  const trail = stepId === null ? null : findStepTrail(steps, stepId);
  const walkEarlier = (earlier: TStep[], maybe: boolean) => {
    for (const step of earlier) {
      writesAfter(step, outputSchemas, maybe, vars);
      if (!step.disabled && step.onError === 'continue') afterContinue = true;
    }
  };
  if (trail) {
    let maybe = false;
    for (const { step, pipe, index } of trail.ancestors) {
      // The earlier siblings of this ancestor, in its own pipe.
      const parentPipe = trailPipe(steps, trail.ancestors, step);
      walkEarlier(parentPipe.slice(0, index), maybe);
      if (pipe.role === 'catch') {
        inCatch = true;
        // The try block ran (partly) before catch: what it wrote may be there.
        const tryPipe = nestedPipes(step).find((p) => p.role === 'try');
        for (const inner of tryPipe?.steps ?? []) writesAfter(inner, outputSchemas, true, vars);
      }
      if (pipe.role === 'finally') {
        for (const other of nestedPipes(step).filter((p) => p.role === 'try' || p.role === 'catch'))
          for (const inner of other.steps) writesAfter(inner, outputSchemas, true, vars);
      }
      if (pipe.role === 'iteration') iteration = step;
      if (pipe.role === 'branch' || pipe.role === 'try' || pipe.role === 'catch') maybe = true;
    }
    walkEarlier(trail.earlier, maybe);
    const own = trail.step;
    if (own.type === 'control.forEach' && field !== undefined && field.startsWith('collect')) {
      iteration = own;
      for (const inner of nestedPipes(own)[0]?.steps ?? []) writesAfter(inner, outputSchemas, false, vars);
    }
    const branchField = /^branches\[(\d+)\]\.result/.exec(field ?? '');
    if (own.type === 'control.parallel' && branchField) {
      const pipe = nestedPipes(own)[Number(branchField[1])];
      for (const inner of pipe?.steps ?? []) writesAfter(inner, outputSchemas, false, vars);
    }
  } else if (stepId === null) {
    // The workflow's output: everything the top-level pipe writes.
    walkEarlier(steps, false);
  }
  entries.push(
    { path: 'vars', source: 'vars', type: 'object', detail: 'the run’s working state', maybe: false },
    ...[...vars.values()].sort((a, b) => a.path.localeCompare(b.path)),
  );

  entries.push(
    ...Object.keys(definition.env?.vars ?? {}).map((name): TScopeEntry => ({
      path: `env.${quoteName(name)}`,
      source: 'env',
      type: 'string',
      detail: 'env var',
      maybe: false,
    })),
  );
  entries.push(
    ...META_FIELDS.map(([name, type]): TScopeEntry => ({
      path: `meta.${name}`,
      source: 'meta',
      type,
      detail: 'run facts',
      maybe: false,
    })),
  );
  if (inCatch || afterContinue) {
    const detail = inCatch ? 'the error caught by this try/catch' : 'the error of a step that continued on error';
    entries.push(
      ...ERROR_FIELDS.map(([name, type]): TScopeEntry => ({
        path: `error.${name}`,
        source: 'error',
        type,
        detail,
        maybe: !inCatch,
      })),
    );
  }
  if (iteration) {
    entries.push(
      { path: '$item', source: 'binding', type: null, detail: `the current item of ${iteration.id}`, maybe: false },
      {
        path: '$index',
        source: 'binding',
        type: 'integer',
        detail: `its position (from 0) in ${iteration.id}`,
        maybe: false,
      },
    );
  }
  return entries;
}

/** The pipe that holds `ancestor` (the root pipe for the outermost one). */
function trailPipe(root: TStep[], ancestors: TAncestor[], ancestor: TStep): TStep[] {
  const position = ancestors.findIndex((a) => a.step === ancestor);
  return position === 0 ? root : ancestors[position - 1]!.pipe.steps;
}
