import 'server-only';
import type { z } from 'zod';
import { formatIssuePath } from '@/model/errors';
import { getNodeDescriptor, NODE_REGISTRY } from '@/server/runtime/nodes';
import { nestedPipesOf, type TRawPipeRef } from '@/server/runtime/nodes/nested-pipes';
import { getActionDescriptor, listActionVersions } from '@/server/runtime/actions';
import { isComputed, isExpression, isSecretRef } from '@/model/definition/is-expression';
import { ZStep } from '@/model/definition/step';
import { checkJsonSchema } from '@/server/workflows/validation/json-schema-check';
import { joinPath, type TProblem } from '@/model/definition/problem';
import { scanValues } from '@/server/workflows/validation/scan-values';
import { describeZodIssue } from '@/server/workflows/validation/describe-zod-issue';

export type TCallSite = { stepId: string; path: string; workflow: unknown; version: unknown };

/** A code.js step's source, compiled after the walk (check-code-sources.ts). */
export type TCodeSource = { stepId: string; path: string; source: string };

/** What a walk over the steps collects: problems, and the callWorkflow sites checked afterwards. */
export type TStepWalk = {
  problems: TProblem[];
  ids: Map<string, string>;
  calls: TCallSite[];
  /** The code.js sources of steps that parse as steps, as do all the steps around them. */
  codeSources: TCodeSource[];
  declaredSecrets: Record<string, string>;
};

const TERMINAL_TYPES = new Set(['control.return', 'control.fail']);

export function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/**
 * True when the issue may go away once run-time values are known: it is about a value that
 * is (or is inside) an expression or a secret, or it is a union one of whose branches fails
 * only on such values (`to: [{ "$expr": … }, "a@example.com"]` against `string | string[]`).
 */
function dependsOnRunTime(issue: z.ZodIssue, input: unknown): boolean {
  const computed = (value: unknown) => isComputed(value) || isSecretRef(value);
  if (issue.path.some((_, index) => computed(valueAt(input, issue.path.slice(0, index + 1))))) return true;
  return (
    issue.code === 'invalid_union' &&
    issue.unionErrors.some((branch) => branch.issues.every((inner) => dependsOnRunTime(inner, input)))
  );
}

/** The literal parts of an action input checked against the action's input schema. */
function checkActionInput(
  schema: z.ZodTypeAny,
  input: unknown,
  inputPath: string,
): Array<{ path: string; message: string }> {
  if (isComputed(input)) return [];
  const parsed = schema.safeParse(input);
  if (parsed.success) return [];
  return (
    parsed.error.issues
      // A value computed at run time (expression or secret) cannot be judged now.
      .filter((issue) => !dependsOnRunTime(issue, input))
      .map((issue) => {
        const { path, message } = describeZodIssue(issue);
        return { path: path.length ? joinPath(inputPath, formatIssuePath(path)) : inputPath, message };
      })
  );
}

function checkStepConfig(
  walk: TStepWalk,
  stepId: string | null,
  path: string,
  type: string,
  config: Record<string, unknown>,
  parsed: z.SafeParseReturnType<unknown, unknown>,
  pipes: TRawPipeRef[],
): void {
  const configPath = joinPath(path, 'config');
  const add = (at: string, message: string, severity: TProblem['severity'] = 'error') =>
    walk.problems.push({ severity, stepId, path: at, message });
  const pipePaths = new Set(pipes.map((pipe) => joinPath(configPath, pipe.path)));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const { path: issuePath, message } = describeZodIssue(issue);
      const at = issuePath.length ? joinPath(configPath, formatIssuePath(issuePath)) : configPath;
      // Problems inside a nested pipe belong to the nested step; its own walk reports them.
      if ([...pipePaths].some((pipePath) => at.startsWith(`${pipePath}[`))) continue;
      // A misplaced secret reference is reported once, by the value scan below.
      if (isSecretRef(valueAt(config, issuePath))) continue;
      // So is an empty expression (the scan checks every expression, config schema or not).
      if (issuePath[issuePath.length - 1] === '$expr' && isExpression(valueAt(config, issuePath.slice(0, -1))))
        continue;
      // Some fields must be known at publish (a workflow key, an event name, a number of workers).
      if (issue.code === 'invalid_type' && isComputed(valueAt(config, issuePath))) {
        add(at, `must be a literal ${issue.expected} here, not an expression`);
        continue;
      }
      add(at, message);
    }
  }
  const inputPath = joinPath(configPath, 'input');
  for (const finding of scanValues({
    value: config,
    path: configPath,
    skip: pipePaths,
    secretsAllowedUnder: type === 'action.call' ? inputPath : null,
    declaredSecrets: walk.declaredSecrets,
  })) {
    const offset = finding.offset === undefined ? {} : { offset: finding.offset };
    walk.problems.push({ severity: 'error', stepId, path: finding.path, message: finding.message, ...offset });
  }
  if (type === 'action.call' && typeof config.action === 'string' && typeof config.version === 'number') {
    const action = getActionDescriptor(config.action, config.version);
    if (!action) {
      const versions = listActionVersions(config.action);
      add(
        versions.length ? joinPath(configPath, 'version') : joinPath(configPath, 'action'),
        versions.length
          ? `Action ${config.action} has no version ${config.version} (it has ${versions.join(', ')})`
          : `Unknown action "${config.action}"`,
      );
    } else {
      // An input that is not an object (nor an expression) was already reported by the config check.
      const input = config.input ?? {};
      if (record(input))
        for (const problem of checkActionInput(action.inputSchema, input, inputPath))
          add(problem.path, problem.message);
    }
  }
  if (type === 'human.task' && record(config.form)) {
    for (const problem of checkJsonSchema(config.form))
      add(
        problem.path ? joinPath(joinPath(configPath, 'form'), problem.path) : joinPath(configPath, 'form'),
        `The form ${problem.message}`,
      );
  }
  if (type === 'control.callWorkflow' && stepId)
    walk.calls.push({ stepId, path: configPath, workflow: config.workflow, version: config.version });
}

/** `parsedAround`: every step around this one parses as a step (only then is its code compiled). */
function validateStep(walk: TStepWalk, raw: unknown, path: string, parsedAround: boolean): void {
  const step = record(raw);
  if (!step) {
    walk.problems.push({
      severity: 'error',
      stepId: null,
      path,
      message: 'must be a step object with id, type and config',
    });
    return;
  }
  const stepId = typeof step.id === 'string' ? step.id : null;
  const add = (at: string, message: string) => walk.problems.push({ severity: 'error', stepId, path: at, message });
  const shape = ZStep.safeParse({ ...step, config: record(step.config) ?? step.config });
  if (!shape.success) {
    for (const issue of shape.error.issues) {
      const { path: issuePath, message } = describeZodIssue(issue);
      add(issuePath.length ? joinPath(path, formatIssuePath(issuePath)) : path, message);
    }
  }
  if (stepId !== null) {
    const first = walk.ids.get(stepId);
    if (first) add(joinPath(path, 'id'), `Step id "${stepId}" is already used by ${first}`);
    else walk.ids.set(stepId, path);
  }
  if (typeof step.type !== 'string') return;
  const descriptor = getNodeDescriptor(step.type);
  if (!descriptor) {
    add(joinPath(path, 'type'), `Unknown node type "${step.type}" (known: ${Object.keys(NODE_REGISTRY).join(', ')})`);
    return;
  }
  const config = record(step.config) ?? {};
  const parsed = descriptor.configSchema.safeParse(config);
  const pipes = nestedPipesOf(step.type, config, parsed);
  checkStepConfig(walk, stepId, path, step.type, config, parsed, pipes);
  const parsedHere = parsedAround && shape.success;
  // An empty or missing source is reported by the config schema.
  if (parsedHere && step.type === 'code.js' && typeof config.source === 'string' && config.source.trim() !== '')
    walk.codeSources.push({ stepId: shape.data.id, path, source: config.source });
  for (const pipe of pipes) validatePipe(walk, pipe.steps, joinPath(joinPath(path, 'config'), pipe.path), parsedHere);
}

/** Validates a pipe of steps and, through them, every nested pipe. */
export function validatePipe(walk: TStepWalk, raw: unknown, path: string, parsedAround = true): void {
  if (!Array.isArray(raw)) {
    walk.problems.push({ severity: 'error', stepId: null, path, message: 'must be a list of steps' });
    return;
  }
  let endedBy: string | null = null;
  raw.forEach((item, index) => {
    const stepPath = joinPath(path, index);
    const step = record(item);
    if (endedBy && step && step.disabled !== true) {
      walk.problems.push({
        severity: 'warning',
        stepId: typeof step.id === 'string' ? step.id : null,
        path: stepPath,
        message: `Unreachable: ${endedBy} ends this pipe before this step`,
      });
    }
    validateStep(walk, item, stepPath, parsedAround);
    if (!endedBy && step && step.disabled !== true && typeof step.type === 'string' && TERMINAL_TYPES.has(step.type)) {
      endedBy = `the ${step.type} step "${String(step.id)}"`;
    }
  });
}
