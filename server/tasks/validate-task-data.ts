import 'server-only';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { AppError, type TFieldIssue } from '@/model/errors';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// A task's form comes from a published version, which never changes: compile each form once.
const compiled = new Map<string, ValidateFunction>();

/** `data.amount` for an error at /amount; a missing required property is named itself, not its parent. */
function fieldPath(error: ErrorObject): string {
  const segments = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required' && typeof error.params.missingProperty === 'string')
    segments.push(error.params.missingProperty);
  return ['data', ...segments].join('.');
}

/** Checks an answer's data against the task's form (JSON Schema 2020-12): 422 naming each bad field. */
export function validateTaskData({ form, data }: { form: Record<string, unknown>; data: unknown }): void {
  const key = JSON.stringify(form);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(form);
    } catch (error) {
      throw new AppError('CONFLICT', `The task's form is not a usable JSON Schema: ${(error as Error).message}`);
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, validate);
  }
  if (validate(data)) return;
  const details: TFieldIssue[] = (validate.errors ?? []).map((error) => ({
    path: fieldPath(error),
    message: error.message ?? 'is invalid',
  }));
  throw new AppError(
    'VALIDATION',
    `The answer does not fit the task's form: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
    details,
  );
}
