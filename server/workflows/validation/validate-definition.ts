import 'server-only';
import { formatIssuePath } from '@/model/errors';
import { ZVersionDocument, type TVersionDocument } from '@/model/definition/version-document';
import { checkCallTargets } from '@/server/workflows/validation/check-call-targets';
import { checkCodeSources } from '@/server/workflows/validation/check-code-sources';
import { checkDataFlowTypes } from '@/server/workflows/validation/check-data-flow-types';
import { checkJsonSchema } from '@/server/workflows/validation/json-schema-check';
import { joinPath, type TProblem } from '@/model/definition/problem';
import { scanValues } from '@/server/workflows/validation/scan-values';
import { record, validatePipe, type TStepWalk } from '@/server/workflows/validation/validate-steps';
import { describeZodIssue } from '@/server/workflows/validation/describe-zod-issue';
import type { TWorkflowResolver } from '@/server/workflows/validation/workflow-resolver';

export type TValidationResult = {
  /** The parsed document, when its overall shape is valid (it may still have problems). */
  document: TVersionDocument | null;
  /** Every problem found, errors and warnings, in document order. */
  problems: TProblem[];
};

/** Workflow-level problems: the document's own fields, its parameter schema and output. */
function checkDocumentFields(raw: Record<string, unknown>): TProblem[] {
  const problems: TProblem[] = [];
  // Steps are validated one by one below, so each problem carries its step's id.
  const shape = ZVersionDocument.safeParse({ ...raw, steps: [] });
  if (!shape.success) {
    for (const issue of shape.error.issues) {
      const { path, message } = describeZodIssue(issue);
      problems.push({ severity: 'error', stepId: null, path: formatIssuePath(path), message });
    }
  }
  if (raw.parameterSchema !== undefined) {
    for (const problem of checkJsonSchema(raw.parameterSchema)) {
      problems.push({
        severity: 'error',
        stepId: null,
        path: problem.path ? joinPath('parameterSchema', problem.path) : 'parameterSchema',
        message: `The parameter schema ${problem.message}`,
      });
    }
    const schema = record(raw.parameterSchema);
    if (schema && schema.type !== 'object') {
      problems.push({
        severity: 'error',
        stepId: null,
        path: 'parameterSchema.type',
        message: 'The parameter schema must describe an object (type: "object"): a run\'s input is a JSON object',
      });
    }
  }
  const secrets = record(record(raw.env)?.secrets) ?? {};
  for (const finding of scanValues({
    value: raw.output,
    path: 'output',
    skip: new Set(),
    secretsAllowedUnder: null,
    declaredSecrets: secrets as Record<string, string>,
  })) {
    const offset = finding.offset === undefined ? {} : { offset: finding.offset };
    problems.push({ severity: 'error', stepId: null, path: finding.path, message: finding.message, ...offset });
  }
  return problems;
}

/**
 * Checks a version document for publishing and reports every problem at once, each with
 * the step it is in and its path from the document root
 * (e.g. `steps[2].config.then[0].config.input.url`).
 */
export async function validateDefinition({
  document,
  resolver,
}: {
  document: unknown;
  resolver: TWorkflowResolver;
}): Promise<TValidationResult> {
  const raw = record(document);
  if (!raw)
    return {
      document: null,
      problems: [{ severity: 'error', stepId: null, path: '', message: 'The definition must be a JSON object' }],
    };
  const walk: TStepWalk = {
    problems: [],
    ids: new Map(),
    calls: [],
    codeSources: [],
    declaredSecrets: (record(record(raw.env)?.secrets) ?? {}) as Record<string, string>,
  };
  const problems = checkDocumentFields(raw);
  validatePipe(walk, raw.steps ?? [], 'steps');
  problems.push(...walk.problems);
  problems.push(...(await checkCodeSources(walk.codeSources)));
  problems.push(...checkDataFlowTypes(raw));
  if (typeof raw.key === 'string')
    problems.push(...(await checkCallTargets({ calls: walk.calls, ownKey: raw.key, resolver })));
  const parsed = ZVersionDocument.safeParse(document);
  return { document: parsed.success ? parsed.data : null, problems };
}

/** True when none of the problems blocks publishing. */
export function isPublishable(problems: TProblem[]): boolean {
  return problems.every((problem) => problem.severity !== 'error');
}
