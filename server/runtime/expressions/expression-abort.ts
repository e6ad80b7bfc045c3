import type { TExpressionFailure } from './expression-failure';

/**
 * Thrown from inside an evaluation (guarded built-ins, the exit hook) to stop it with a
 * known failure; jsonata passes it through untouched because it has no jsonata `code`.
 */
export class ExpressionAbort extends Error {
  readonly failure: TExpressionFailure;

  constructor(failure: TExpressionFailure) {
    super(failure.kind === 'limit' ? `limit ${failure.limit}` : failure.message);
    this.name = 'ExpressionAbort';
    this.failure = failure;
  }
}
