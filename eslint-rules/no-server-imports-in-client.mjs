import path from 'node:path';

/**
 * Browser code never imports server/ (issue #23): components/, any file that starts with
 * 'use client', and model/ (the code both sides share) may name a server function's types with
 * `import type` (erased at build), never a value. What both sides need lives in model/. The
 * `import 'server-only'` at the top of server modules makes a slip fail the Next build as well;
 * this rule says so at the line, in the editor, before a build.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

function isClientFile(context) {
  const file = path.relative(ROOT, context.filename);
  if (/\.test\.tsx?$/.test(file)) return false;
  if (file.startsWith('components/') || file.startsWith('model/')) return true;
  const first = context.sourceCode.ast.body[0];
  return first?.type === 'ExpressionStatement' && first.directive === 'use client';
}

function reachesServer(context, source) {
  if (source.startsWith('@/')) return source.startsWith('@/server/') || source === '@/server';
  if (!source.startsWith('.')) return false;
  const target = path.relative(ROOT, path.resolve(path.dirname(context.filename), source));
  return target === 'server' || target.startsWith('server/');
}

function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid value imports from server/ in browser code and model/' },
    messages: {
      serverImport:
        "'{{source}}' is server code; browser code and model/ may only `import type` from it. Move what both sides need to model/.",
    },
    schema: [],
  },
  create(context) {
    if (!isClientFile(context)) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !reachesServer(context, source) || typeOnly(node)) return;
      context.report({ node, messageId: 'serverImport', data: { source } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => {
        if (
          node.source.type === 'Literal' &&
          typeof node.source.value === 'string' &&
          reachesServer(context, node.source.value)
        )
          context.report({ node, messageId: 'serverImport', data: { source: node.source.value } });
      },
    };
  },
};
