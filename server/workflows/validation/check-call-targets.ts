import 'server-only';
import type { TProblem } from '@/model/definition/problem';
import type { TCallSite } from '@/server/workflows/validation/validate-steps';
import type { TWorkflowResolver } from '@/server/workflows/validation/workflow-resolver';
import { joinPath } from '@/model/definition/problem';

const MAX_CHAIN = 25;

/** The published version a call runs: the pinned one, or the latest. */
async function resolveVersion(
  resolver: TWorkflowResolver,
  key: string,
  version: unknown,
): Promise<{ version: number } | { problem: string }> {
  const published = await resolver.publishedVersions(key);
  if (published === null) return { problem: `Workflow "${key}" does not exist` };
  if (published.length === 0) return { problem: `Workflow "${key}" has no published version yet` };
  if (typeof version === 'number') {
    return published.includes(version)
      ? { version }
      : { problem: `Workflow "${key}" has no published version ${version} (published: ${published.join(', ')})` };
  }
  return { version: Math.max(...published) };
}

/**
 * `control.callWorkflow` targets must exist, be published, and must not lead back to the
 * workflow being validated, directly or through other workflows (which would start child
 * runs forever).
 */
export async function checkCallTargets({
  calls,
  ownKey,
  resolver,
}: {
  calls: TCallSite[];
  ownKey: string;
  resolver: TWorkflowResolver;
}): Promise<TProblem[]> {
  const problems: TProblem[] = [];
  for (const call of calls) {
    if (typeof call.workflow !== 'string') continue; // the config check already reported it
    const at = joinPath(call.path, 'workflow');
    if (call.workflow === ownKey) {
      problems.push({
        severity: 'error',
        stepId: call.stepId,
        path: at,
        message: `The workflow calls itself, which would start child runs without end`,
      });
      continue;
    }
    const target = await resolveVersion(resolver, call.workflow, call.version);
    if ('problem' in target) {
      problems.push({
        severity: 'error',
        stepId: call.stepId,
        path:
          typeof call.version === 'number' && !target.problem.endsWith('does not exist')
            ? joinPath(call.path, 'version')
            : at,
        message: target.problem,
      });
      continue;
    }
    const cycle = await findPathBack(resolver, [call.workflow], target.version, ownKey);
    if (cycle) {
      problems.push({
        severity: 'error',
        stepId: call.stepId,
        path: at,
        message: `Calling "${call.workflow}" would recurse back into this workflow: ${[ownKey, ...cycle].join(' → ')}`,
      });
    }
  }
  return problems;
}

async function findPathBack(
  resolver: TWorkflowResolver,
  chain: string[],
  version: number,
  ownKey: string,
): Promise<string[] | null> {
  if (chain.length > MAX_CHAIN) return null;
  const current = chain[chain.length - 1]!;
  for (const callee of await resolver.calleesOf(current, version)) {
    if (callee.workflow === ownKey) return [...chain, ownKey];
    if (chain.includes(callee.workflow)) continue; // a cycle elsewhere is that workflow's own problem
    const next = await resolveVersion(resolver, callee.workflow, callee.version);
    if ('problem' in next) continue;
    const found = await findPathBack(resolver, [...chain, callee.workflow], next.version, ownKey);
    if (found) return found;
  }
  return null;
}
