import 'server-only';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { AppError } from '@/model/errors';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// Compiled validators per published version: a version's parameter schema never changes.
const compiled = new Map<string, ValidateFunction>();

/** Checks a run's input against the version's parameter schema; 422 with the JSON Schema errors when it does not fit (SPEC §4.5). */
export function validateRunInput({
  versionId,
  schema,
  input,
}: {
  versionId: string;
  schema: Record<string, unknown>;
  input: unknown;
}): void {
  let validate = compiled.get(versionId);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size > 500) compiled.clear();
    compiled.set(versionId, validate);
  }
  if (validate(input)) return;
  const details = (validate.errors ?? []).map((error) => ({
    path: ['input', ...error.instancePath.split('/').filter(Boolean)].join('.'),
    message: error.message ?? 'is invalid',
    keyword: error.keyword,
    params: error.params,
  }));
  throw new AppError(
    'VALIDATION',
    `The input does not match the workflow's parameter schema: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
    details,
  );
}
