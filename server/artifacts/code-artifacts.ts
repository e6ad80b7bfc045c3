import 'server-only';
import { z } from 'zod';
import type { ArtifactStager } from '@/server/artifacts/artifact-stager';
import { StepFailure } from '@/server/runtime/nodes/node-result';
import { formatIssuePath } from '@/model/errors';

/** What code.js returns for a file (SPEC §11): `{ $artifact: { name, contentType, text | base64 } }`. */
export const ZCodeArtifactSpec = z
  .object({
    name: z.string({ required_error: 'name is required' }),
    /** Default: text/plain; charset=utf-8 for text, application/octet-stream for base64. */
    contentType: z.string().optional(),
    text: z.string().optional(),
    base64: z.string().optional(),
  })
  .strict()
  .refine((spec) => (spec.text === undefined) !== (spec.base64 === undefined), {
    message: 'give exactly one of text or base64',
  });

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Deeper than this nothing is looked at: settle refuses such outputs anyway. */
const MAX_DEPTH = 80;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The code's return value with every `{ $artifact: spec }` in it (at any depth, in objects
 * and arrays) staged as a file and replaced by its reference. A spec that is not one
 * (no name, both or neither of text and base64, bad base64, other keys beside $artifact)
 * fails the step with VALIDATION naming where it is.
 */
export async function stageCodeArtifacts({
  value,
  stager,
  stepId,
}: {
  value: unknown;
  stager: ArtifactStager;
  stepId: string;
}): Promise<unknown> {
  const bad = (path: Array<string | number>, message: string) =>
    new StepFailure({
      code: 'VALIDATION',
      message: `Step "${stepId}": the $artifact at ${formatIssuePath(['output', ...path])}: ${message}`,
      details: { path: formatIssuePath(['output', ...path]) },
      retryable: false,
    });

  const walk = async (node: unknown, path: Array<string | number>): Promise<unknown> => {
    if (path.length > MAX_DEPTH) return node;
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const [index, item] of node.entries()) out.push(await walk(item, [...path, index]));
      return out;
    }
    if (!isPlainObject(node)) return node;
    if (!('$artifact' in node)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = await walk(item, [...path, key]);
      return out;
    }
    const others = Object.keys(node).filter((key) => key !== '$artifact');
    if (others.length) throw bad(path, `an $artifact object has no other keys (found ${others.join(', ')})`);
    const parsed = ZCodeArtifactSpec.safeParse(node.$artifact);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      throw bad(path, `${where}${issue.message}`);
    }
    const spec = parsed.data;
    let bytes: Buffer;
    if (spec.text !== undefined) bytes = Buffer.from(spec.text, 'utf8');
    else {
      const base64 = spec.base64!.replace(/[\r\n]/g, '');
      if (!BASE64.test(base64)) throw bad(path, 'base64 is not valid base64 (A–Z, a–z, 0–9, +, / and = padding)');
      bytes = Buffer.from(base64, 'base64');
    }
    const contentType =
      spec.contentType ?? (spec.text !== undefined ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    return stager.stage({ name: spec.name, contentType, bytes });
  };

  return walk(value, []);
}
