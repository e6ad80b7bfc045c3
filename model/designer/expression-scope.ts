import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { walkScopes } from '@/model/designer/scope-walk';

export { unionType } from '@/model/designer/scope-writes';

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
  // The workflow's output: everything the top-level pipe writes.
  if (stepId === null) return walkScopes({ definition, outputSchemas }).entries();
  let found: TScopeEntry[] | null = null;
  walkScopes({
    definition,
    outputSchemas,
    visit: (step, _path, scope) => {
      if (step.id !== stepId) return;
      found = scope.entries(field);
      return 'stop';
    },
  });
  // A step that is not there (yet) reads only what no step writes.
  return found ?? walkScopes({ definition: { ...definition, steps: [] } }).entries();
}
