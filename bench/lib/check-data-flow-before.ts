/**
 * The typed data flow check as it was before the one-pass scope walk (issue #16): each step's
 * scope computed by walking the definition again, so the check was quadratic in steps. Kept,
 * unchanged, as the reference the new check's warnings are compared with
 * (model/designer/check-data-flow-equivalence.test.ts) and the bench's "before" figure
 * (bench/data-flow-check.ts). Not used by the app.
 */
import { isExpression, isTemplate } from '@/model/definition/is-expression';
import { joinPath, type TProblem } from '@/model/definition/problem';
import type { TStep } from '@/model/definition/step';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { computeExpressionScope, type TOutputSchemas, type TScopeEntry } from '@/bench/lib/expression-scope-before';
import { expressionReads, templateExpressions } from '@/model/designer/expression-reads';
import { nestedPipes } from '@/model/designer/step-tree';

type TSchema = Record<string, unknown>;

/** The registry's schemas the check needs: outputs (for what steps write) and inputs (for what fields take). */
export type TDataFlowSchemas = TOutputSchemas & {
  /** JSON Schema of each node type's `config`. */
  configs?: Record<string, TSchema>;
  /** JSON Schema of each action's input, by ref (`http.request@1`). */
  inputs?: Record<string, TSchema>;
};

/** What the scope says about a path an expression reads. */
export type TPathLookup =
  | { kind: 'known'; type: string | null; maybe: boolean }
  /** Under a value whose shape is not known (an expression's result, an open object): anything may be there. */
  | { kind: 'open' }
  | { kind: 'missing'; message: string };

const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'null']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSONata spells a name that is not an identifier in backticks; the scope does too. */
function spell(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `\`${name}\``;
}

/**
 * Looks a read path up in the scope of its step. A path is missing when no entry names it and
 * the nearest known prefix is a scalar, or an object whose keys are all known (a literal, a
 * schema with properties) without this one; under an array (whose items the scope names as
 * `base.field`) or a value of unknown shape it is open.
 *
 * @example lookupPath(scope, ['vars', 'total']) // { kind: 'missing', message: 'vars.total is not set by any step before this one' }
 */
export function lookupPath(
  scope: readonly TScopeEntry[],
  segments: readonly string[],
  { closedPayload = false }: { closedPayload?: boolean } = {},
): TPathLookup {
  const byPath = new Map(scope.map((entry) => [entry.path, entry]));
  // Assigning `vars.summary.day` makes `vars.summary` an object too.
  // Assigning `vars.log[0].what` makes `vars.log` an array.
  for (const entry of scope) {
    for (const cut of entry.path.matchAll(/[.[]/g)) {
      const parent = entry.path.slice(0, cut.index);
      if (parent.includes('.') && !byPath.has(parent))
        byPath.set(parent, { ...entry, path: parent, type: cut[0] === '[' ? 'array' : 'object' });
    }
  }
  const root = segments[0] ?? '';
  if (root === 'error' && !scope.some((entry) => entry.source === 'error'))
    return { kind: 'missing', message: '`error` is set only inside a catch or after a step that continues on error' };
  const spelled = segments.map(spell);
  // JSONata maps a path over an array's items: under an array, a field's type is not the path's.
  const isUnderArray = (length: number) =>
    spelled.slice(0, length).some((_, index) => byPath.get(spelled.slice(0, index + 1).join('.'))?.type === 'array');
  for (let length = segments.length; length >= 1; length -= 1) {
    const path = spelled.slice(0, length).join('.');
    const entry = byPath.get(path) ?? (length === 1 ? rootEntry(root) : undefined);
    if (!entry) continue;
    if (length === segments.length)
      return { kind: 'known', type: isUnderArray(length - 1) ? null : entry.type, maybe: entry.maybe };
    if (isUnderArray(length)) return { kind: 'open' };
    const next = `${path}.${spelled[length]}`;
    if (entry.type !== null && !entry.type.includes('|') && SCALARS.has(entry.type))
      return { kind: 'missing', message: `${path} is ${article(entry.type)}: it has no field ${spelled[length]}` };
    const children = [...byPath.keys()].filter(
      (other) => other.startsWith(`${path}.`) && !other.slice(path.length + 1).includes('.'),
    );
    if (length === 1) {
      if (root === 'vars') return { kind: 'missing', message: `${next} is not set by any step before this one` };
      if (root === 'env') return { kind: 'missing', message: `${next} is not declared in env.vars` };
      if (root === 'meta' || root === 'error') return { kind: 'missing', message: `${next} is not a field of ${root}` };
      // A run's input may carry more than the schema names, unless the schema closes it.
      if (closedPayload) return { kind: 'missing', message: `${next} is not in the parameter schema` };
      return { kind: 'open' };
    }
    // Below the top, only what steps wrote is closed: a literal's keys, an output schema's properties.
    if (root !== 'vars' || children.length === 0) return { kind: 'open' };
    const names = children.map((child) => child.slice(path.length + 1)).join(', ');
    return { kind: 'missing', message: `${next} does not exist here (${path} has ${names})` };
  }
  return { kind: 'open' };
}

function rootEntry(root: string): TScopeEntry {
  return { path: root, source: 'vars', type: 'object', detail: '', maybe: false };
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The literal JSON types a config field takes, from its schema (`anyOf` with Expr/Template dropped), or null when any. */
export function expectedTypesAt(schema: unknown, segments: ReadonlyArray<string | number>): string[] | null {
  let current: unknown = schema;
  for (const segment of segments) {
    current = literalOf(current);
    if (!isObject(current)) return null;
    if (typeof segment === 'number') current = current.items;
    else current = isObject(current.properties) ? current.properties[segment] : current.additionalProperties;
  }
  return typesOf(literalOf(current));
}

function literalOf(schema: unknown): unknown {
  if (!isObject(schema) || !Array.isArray(schema.anyOf)) return schema;
  const rest = schema.anyOf.filter(
    (option) => !(isObject(option) && typeof option.$ref === 'string' && /\/(Expr|Template)$/.test(option.$ref)),
  );
  return rest.length === 1 ? rest[0] : { anyOf: rest };
}

function typesOf(schema: unknown): string[] | null {
  if (!isObject(schema)) return null;
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((type): type is string => typeof type === 'string');
  if (Array.isArray(schema.enum)) return [...new Set(schema.enum.map(jsonType))];
  if (schema.const !== undefined) return [jsonType(schema.const)];
  if (Array.isArray(schema.anyOf)) {
    const all = schema.anyOf.map(typesOf);
    return all.some((types) => types === null) ? null : [...new Set(all.flat() as string[])];
  }
  return null;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Whether a value of `actual` (`string`, `integer | null`…) may fit a field taking `expected`. */
export function typeFits(actual: string, expected: readonly string[]): boolean {
  return actual.split(' | ').some(
    (type) =>
      expected.includes(type) ||
      (type === 'integer' && expected.includes('number')) ||
      // A number may be whole: only a run can tell.
      (type === 'number' && expected.includes('integer')),
  );
}

type TWalkedValue = { path: string; value: { $expr: string } | { $template: string } };

/** Every `$expr`/`$template` under a value, with its path (nested pipes are walked as steps, not here). */
function computedValues(value: unknown, path: string, skip: ReadonlySet<string>, into: TWalkedValue[]): void {
  if (isExpression(value) || isTemplate(value)) into.push({ path, value });
  else if (Array.isArray(value))
    value.forEach((item, index) => computedValues(item, joinPath(path, index), skip, into));
  else if (isObject(value))
    for (const [key, child] of Object.entries(value)) {
      const childPath = joinPath(path, key);
      if (!skip.has(childPath)) computedValues(child, childPath, skip, into);
    }
}

/** `input.amount` → `['input', 'amount']`, `cases[1].when` → `['cases', 1, 'when']`. */
function segmentsOf(path: string): Array<string | number> {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] !== undefined ? Number(match[2]) : match[1]!,
  );
}

/**
 * The typed data flow check (SPEC §9): every expression and template in the definition is read
 * against the scope of its step, and warned about when it reads a path that cannot exist there
 * (`vars.total` before any step sets it, `payload.x` not in the parameter schema, a field under
 * a string), or when it is a single path whose type does not fit the field (a string path in a
 * number field; a template, always a string, in a non-string field). Warnings only: a path the
 * analysis cannot see (an open object, an array item) is never flagged.
 */
export function checkDataFlow({
  definition,
  schemas = {},
}: {
  definition: Pick<TVersionDocumentInput, 'parameterSchema' | 'env' | 'steps' | 'output'>;
  schemas?: TDataFlowSchemas;
}): TProblem[] {
  const problems: TProblem[] = [];
  const closedPayload =
    isObject(definition.parameterSchema) && definition.parameterSchema.additionalProperties === false;
  const checkValues = (
    stepId: string | null,
    base: string,
    values: TWalkedValue[],
    fieldSchema: (rel: string) => string[] | null,
  ) => {
    const scopes = new Map<string, TScopeEntry[]>();
    for (const { path, value } of values) {
      const field = base === 'output' ? undefined : path.replace(/^config\.?/, '');
      const key =
        field?.startsWith('collect') || field?.startsWith('branches') ? field : (field?.split(/[.[]/)[0] ?? '');
      let scope = scopes.get(key);
      if (!scope) {
        scope = computeExpressionScope({ definition, stepId, field, outputSchemas: schemas });
        scopes.set(key, scope);
      }
      const where = base === 'output' ? path : joinPath(base, path);
      const parts = isExpression(value)
        ? [{ source: value.$expr, offset: undefined as number | undefined }]
        : templateExpressions(value.$template).map((part) => ({
            source: part.source,
            offset: part.offset as number | undefined,
          }));
      const reported = new Set<string>();
      for (const part of parts) {
        for (const read of expressionReads(part.source) ?? []) {
          const lookup = lookupPath(scope, read.segments, { closedPayload });
          if (lookup.kind !== 'missing' || reported.has(lookup.message)) continue;
          reported.add(lookup.message);
          problems.push({
            severity: 'warning',
            stepId,
            path: where,
            message: lookup.message,
            ...(part.offset === undefined ? {} : { offset: part.offset }),
          });
        }
      }
      const expected = fieldSchema(path);
      if (!expected) continue;
      const actual = isTemplate(value) ? 'string' : singlePathType(value.$expr, scope);
      if (actual && !typeFits(actual, expected))
        problems.push({
          severity: 'warning',
          stepId,
          path: where,
          message: `${isTemplate(value) ? 'A template gives a string' : `This gives ${article(actual)}`}, but the field takes ${expected.join(' or ')}`,
        });
    }
  };
  const visitPipe = (steps: readonly TStep[], base: string) =>
    steps.forEach((step, index) => {
      const path = joinPath(base, index);
      if (step.disabled) return;
      const pipes = nestedPipes(step);
      const skip = new Set(pipes.map((pipe) => joinPath('config', pipe.path)));
      const values: TWalkedValue[] = [];
      computedValues(step.config, 'config', skip, values);
      const config = isObject(step.config) ? step.config : {};
      const actionSchema =
        step.type === 'action.call' && typeof config.action === 'string'
          ? schemas.inputs?.[`${config.action}@${typeof config.version === 'number' ? config.version : 1}`]
          : undefined;
      checkValues(step.id, path, values, (rel) => {
        const segments = segmentsOf(rel).slice(1);
        if (actionSchema && segments[0] === 'input') return expectedTypesAt(actionSchema, segments.slice(1));
        const configSchema = schemas.configs?.[step.type];
        return configSchema ? expectedTypesAt(configSchema, segments) : null;
      });
      for (const pipe of pipes) visitPipe(pipe.steps, joinPath(joinPath(path, 'config'), pipe.path));
    });
  // A draft may hold anything: a malformed step is the shape check's problem, not this one's.
  const steps = (Array.isArray(definition.steps) ? definition.steps : []).filter(
    (step): step is TStep => isObject(step) && typeof step.id === 'string' && typeof step.type === 'string',
  );
  visitPipe(steps, 'steps');
  const outputValues: TWalkedValue[] = [];
  computedValues(definition.output, 'output', new Set(), outputValues);
  checkValues(null, 'output', outputValues, () => null);
  return problems;
}

/** The type of an expression that is one envelope path (`vars.invoice.status`), else null (not known). */
function singlePathType(source: string, scope: readonly TScopeEntry[]): string | null {
  const reads = expressionReads(source);
  if (!reads || reads.length !== 1) return null;
  const read = reads[0]!;
  // Only when the path is the whole expression: `vars.a + 1` is not the type of vars.a.
  if (source.trim() !== read.segments.map(spell).join('.')) return null;
  const lookup = lookupPath(scope, read.segments);
  return lookup.kind === 'known' ? lookup.type : null;
}
