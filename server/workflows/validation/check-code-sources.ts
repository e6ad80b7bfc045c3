import 'server-only';
import { checkCodeSyntax, describeCodeFailure } from '@/server/runtime/code/run-code';
import type { TProblem } from '@/model/definition/problem';
import type { TCodeSource } from '@/server/workflows/validation/validate-steps';

/**
 * Publish-time syntax check of every code.js step: its source is compiled (never run) by
 * QuickJS in a code worker thread, so the line and message are the ones a run would get.
 * The sources are the ones the step walk found (validate-steps.ts), in document order.
 */
export async function checkCodeSources(sources: readonly TCodeSource[]): Promise<TProblem[]> {
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
