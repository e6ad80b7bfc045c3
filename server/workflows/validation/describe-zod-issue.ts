import 'server-only';
import type { ZodIssue } from 'zod';
import { EXPR_TYPE_MESSAGE, TEMPLATE_TYPE_MESSAGE } from '@/model/definition/expression-value';

export type TIssueDescription = { path: ReadonlyArray<string | number>; message: string };

function joinWithOr(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/**
 * Where one zod issue is and a sentence for it. Fields that take "a literal or an expression"
 * (and other unions) fail as a union, where zod only says "Invalid input" at the field; the
 * literal branches' complaint is the one a person can act on, at the place it points to
 * (`assignee.role`, not `assignee`).
 */
export function describeZodIssue(issue: ZodIssue): TIssueDescription {
  if (issue.code !== 'invalid_union') return { path: issue.path, message: issue.message };
  const depth = issue.path.length;
  const firsts = issue.unionErrors
    .map((error) => error.issues[0])
    .filter((first): first is ZodIssue => first !== undefined);
  const isExpressionBranch = (first: ZodIssue) =>
    first.message === EXPR_TYPE_MESSAGE ||
    first.message === TEMPLATE_TYPE_MESSAGE ||
    first.path[depth] === '$expr' ||
    first.path[depth] === '$template';
  const literals = firsts.filter((first) => !isExpressionBranch(first));
  const suffix = literals.length < firsts.length ? ' (or an expression {"$expr": …})' : '';
  if (literals.length === 0) return { path: issue.path, message: issue.message };
  // Every branch refused the type itself: name all the types that would do.
  if (literals.every((first) => first.code === 'invalid_type' && first.path.length === depth)) {
    const received = literals[0]!.code === 'invalid_type' ? literals[0]!.received : '';
    if (received === 'undefined') return { path: issue.path, message: 'Required' };
    const expected = [...new Set(literals.map((first) => (first.code === 'invalid_type' ? first.expected : '')))];
    return { path: issue.path, message: `Expected ${joinWithOr(expected)}, received ${received}${suffix}` };
  }
  // Otherwise the branch that got furthest into the value is the one the person meant.
  // A branch that only misses a key ({user} when {role} was given) got less far than its depth says.
  const reach = (first: ZodIssue) =>
    first.path.length * 2 + (first.code === 'invalid_type' && first.received === 'undefined' ? 0 : 1);
  const furthest = literals.reduce((best, first) => (reach(first) > reach(best) ? first : best));
  const inner = describeZodIssue(furthest);
  return { path: inner.path, message: /expression/i.test(inner.message) ? inner.message : `${inner.message}${suffix}` };
}
