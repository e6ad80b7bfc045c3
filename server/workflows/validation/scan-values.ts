import 'server-only';
import { isExpression, isSecretRef, isTemplate } from '@/model/definition/is-expression';
import { checkTemplateSyntax } from '@/server/runtime/expressions/template';
import { checkExpressionSyntax } from '@/server/runtime/expressions/check-expression-syntax';
import { joinPath } from '@/model/definition/problem';

/** `offset`: where in a template the problem is (characters from its start). */
export type TValueFinding = { path: string; message: string; offset?: number };

/**
 * Walks a config value (skipping the nested pipes, which are validated as steps of their
 * own) and reports malformed expressions and misplaced or undeclared secret references.
 * `secretsAllowedUnder` is the one path below which `{ "$secret" }` may appear.
 */
export function scanValues({
  value,
  path,
  skip,
  secretsAllowedUnder,
  declaredSecrets,
}: {
  value: unknown;
  path: string;
  skip: Set<string>;
  secretsAllowedUnder: string | null;
  declaredSecrets: Record<string, string>;
}): TValueFinding[] {
  const findings: TValueFinding[] = [];
  const visit = (node: unknown, at: string): void => {
    if (skip.has(at)) return;
    if (isExpression(node)) {
      if (node.$expr.trim() === '') {
        findings.push({ path: joinPath(at, '$expr'), message: 'The expression is empty' });
        return;
      }
      const check = checkExpressionSyntax(node.$expr);
      if (!check.ok) {
        findings.push({
          path: joinPath(at, '$expr'),
          message: check.message.charAt(0).toUpperCase() + check.message.slice(1),
        });
      }
      return;
    }
    if (isTemplate(node)) {
      const check = checkTemplateSyntax(node.$template);
      if (!check.ok) {
        const message = `At offset ${check.offset} of the template: ${check.message.charAt(0).toLowerCase()}${check.message.slice(1)}`;
        findings.push({ path: joinPath(at, '$template'), message, offset: check.offset });
      }
      return;
    }
    if (isSecretRef(node)) {
      if (
        secretsAllowedUnder === null ||
        !(
          at === secretsAllowedUnder ||
          at.startsWith(`${secretsAllowedUnder}.`) ||
          at.startsWith(`${secretsAllowedUnder}[`)
        )
      ) {
        findings.push({ path: at, message: 'A secret reference is only allowed inside the input of an action call' });
      } else if (!Object.hasOwn(declaredSecrets, node.$secret)) {
        findings.push({ path: at, message: `Secret "${node.$secret}" is not declared in env.secrets` });
      }
      return;
    }
    if (Array.isArray(node)) node.forEach((item, index) => visit(item, joinPath(at, index)));
    else if (typeof node === 'object' && node !== null)
      for (const [key, item] of Object.entries(node)) visit(item, joinPath(at, key));
  };
  visit(value, path);
  return findings;
}
