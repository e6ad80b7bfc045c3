import type { ZodIssue } from 'zod';

/**
 * A sentence for one zod issue. Fields that take "a literal or an expression" fail as a
 * union, where zod only says "Invalid input"; the literal branch's complaint is the one a
 * person can act on.
 */
export function describeZodIssue(issue: ZodIssue): string {
  if (issue.code !== 'invalid_union') return issue.message;
  const branches = issue.unionErrors.map((error) => error.issues[0]).filter((first): first is ZodIssue => first !== undefined);
  const literal = branches.find((first) => !(first.path.length > issue.path.length && first.path[issue.path.length] === '$expr')) ?? branches[branches.length - 1];
  if (!literal) return issue.message;
  const inner = describeZodIssue(literal);
  return /expression/i.test(inner) ? inner : `${inner} (or an expression {"$expr": …})`;
}
