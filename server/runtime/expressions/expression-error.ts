import { AppError } from '@/model/errors';
import { assertNever } from '@/model/errors';
import type { TExpressionFailure } from './expression-failure';
import type { TExpressionLimitName, TExpressionLimits } from './expression-limits';
import { EXPRESSION_WORKER_HEAP_MB } from './expression-limits';

type TExpressionErrorInit = { stepId?: string; limit?: TExpressionLimitName; position?: number; details?: unknown };

/**
 * An expression that failed or broke a limit. Never retryable: the same expression over the
 * same envelope fails the same way. The message names the step when there is one.
 */
export class ExpressionError extends AppError {
  readonly retryable = false;
  readonly stepId?: string;
  readonly limit?: TExpressionLimitName;
  readonly position?: number;

  constructor(message: string, init: TExpressionErrorInit = {}) {
    super('EXPRESSION', init.stepId ? `Step "${init.stepId}": ${message}` : message, init.details);
    this.name = 'ExpressionError';
    this.stepId = init.stepId;
    this.limit = init.limit;
    this.position = init.position;
  }

  /** The error for a failure reported by an evaluation, e.g. `Step "calc": expression exceeded the time limit of 1000 ms`. */
  static fromFailure(input: {
    failure: TExpressionFailure;
    limits: TExpressionLimits;
    stepId?: string;
  }): ExpressionError {
    const { failure, limits, stepId } = input;
    switch (failure.kind) {
      case 'limit':
        return new ExpressionError(`expression exceeded ${describeLimit(failure.limit, limits)}`, {
          stepId,
          limit: failure.limit,
        });
      case 'syntax':
        return new ExpressionError(`expression has a syntax error${at(failure.position)}: ${failure.message}`, {
          stepId,
          position: failure.position,
        });
      case 'evaluation':
        return new ExpressionError(`expression failed${at(failure.position)}: ${failure.message}`, {
          stepId,
          position: failure.position,
        });
      case 'forbidden':
        return new ExpressionError(`expression used something not allowed${at(failure.position)}: ${failure.message}`, {
          stepId,
          position: failure.position,
        });
      case 'result':
        return new ExpressionError(`expression result is not plain JSON: ${failure.message}`, { stepId });
      default:
        return assertNever(failure, 'expression failure');
    }
  }
}

function at(position: number | undefined): string {
  return position === undefined ? '' : ` at position ${position}`;
}

function describeLimit(limit: TExpressionLimitName, limits: TExpressionLimits): string {
  switch (limit) {
    case 'timeMs':
      return `the time limit of ${limits.timeMs} ms`;
    case 'maxDepth':
      return `the evaluation depth limit of ${limits.maxDepth}`;
    case 'maxNesting':
      return `the nesting depth limit of ${limits.maxNesting}`;
    case 'maxSourceLength':
      return `the source length limit of ${limits.maxSourceLength} characters`;
    case 'maxSequenceLength':
      return `the sequence length limit of ${limits.maxSequenceLength} items`;
    case 'maxStringLength':
      return `the string length limit of ${limits.maxStringLength} characters`;
    case 'maxOutputBytes':
      return `the output size limit of ${limits.maxOutputBytes} bytes`;
    case 'memory':
      return `the memory limit of ${EXPRESSION_WORKER_HEAP_MB} MB`;
    default:
      return assertNever(limit, 'expression limit');
  }
}
