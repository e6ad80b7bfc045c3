import type { TStep } from '@/model/definition/step';
import type { TOutputSchemas, TScopeEntry } from '@/model/designer/expression-scope';
import { expressionType } from '@/model/designer/expression-reads';
import { nestedPipes } from '@/model/designer/step-tree';
import { nodeShapeOf } from '@/model/nodes/node-shapes';

type TSchema = Record<string, unknown>;

/** Where writes are recorded: a Map, or the scope walk's layered one (`scope-walk.ts`). */
export type TWriteTarget = {
  get(path: string): TScopeEntry | undefined;
  set(path: string, entry: TScopeEntry): unknown;
};

const MAX_DEPTH = 4;

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
export function fromSchema(base: string, schema: unknown, depth = 0): Array<{ path: string; type: string | null }> {
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
export function quoteName(name: string): string {
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
export function writesAfter(step: TStep, schemas: TOutputSchemas, maybe: boolean, into: TWriteTarget): void {
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
function addWrite(into: TWriteTarget, entry: TScopeEntry, certain: boolean): void {
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
