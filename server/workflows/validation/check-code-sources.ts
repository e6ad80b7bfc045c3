import 'server-only';
import { checkCodeSyntax, describeCodeFailure } from '@/server/runtime/code/run-code';
import { ZStep, type TStep } from '@/model/definition/step';
import { walkSteps } from '@/server/workflows/walk-steps';
import type { TProblem } from '@/model/definition/problem';

/**
 * Publish-time syntax check of every code.js step: its source is compiled (never run) by
 * QuickJS in a code worker thread, so the line and message are the ones a run would get.
 */
export async function checkCodeSources(rawSteps: unknown): Promise<TProblem[]> {
  if (!Array.isArray(rawSteps)) return [];
  const steps = rawSteps.flatMap((raw): TStep[] => {
    const parsed = ZStep.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
  const sources: Array<{ stepId: string; path: string; source: string }> = [];
  walkSteps(steps, ({ step, path }) => {
    const source = step.config.source;
    // An empty or missing source is reported by the config schema.
    if (step.type === 'code.js' && typeof source === 'string' && source.trim() !== '')
      sources.push({ stepId: step.id, path, source });
  });
  const problems: TProblem[] = [];
  for (const { stepId, path, source } of sources) {
    const outcome = await checkCodeSyntax(source);
    if (!outcome.ok) {
      problems.push({
        severity: 'error',
        stepId,
        path: `${path}.config.source`,
        message: describeCodeFailure(outcome.failure),
      });
    }
  }
  return problems;
}
