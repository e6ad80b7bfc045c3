/**
 * What bench/check-definition.ts bundles of a checkout: the problem check, and a way to forget
 * what it has cached (a first check). An older checkout without this file gets the same two
 * from the modules it had (bench/lib/check-bundle.ts).
 */
import { clearExpressionReadsCache } from '@/model/designer/expression-reads';
import { clearExpressionSyntaxCache } from '@/server/runtime/expressions/check-expression-syntax';

export { validateDefinition } from '@/server/workflows/validation/validate-definition';

/** Forgets every parse the check keeps between checks. */
export function clearCheckCaches(): void {
  clearExpressionReadsCache();
  clearExpressionSyntaxCache();
}
