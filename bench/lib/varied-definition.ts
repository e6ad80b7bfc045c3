import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { nestedPipes } from '@/model/designer/step-tree';

type TStep = NonNullable<TVersionDocumentInput['steps']>[number];

/** A small seeded PRNG (mulberry32), so a varied definition is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Paths a step writes, and paths an expression reads: some exist, some cannot (a typo, a field under a scalar). */
const WRITES = ['vars.a', 'vars.b', 'vars.c.d', 'vars.c.e', 'vars.log[0].what', 'vars.n', 'vars.s', 'vars.`odd name`'];
const READS = [
  'vars.a',
  'vars.b',
  'vars.c',
  'vars.c.d',
  'vars.c.x',
  'vars.log',
  'vars.n.deep',
  'vars.s',
  'vars.res.status',
  'vars.res.nope',
  'vars.items',
  'vars.par.left',
  'vars.missing',
  'payload.amount',
  'payload.name',
  'payload.nope',
  'payload.lines.price',
  'error.code',
  'error.nope',
  'env.BASE',
  'env.NOPE',
  'meta.runId',
  'meta.nope',
  '$item.x',
  '$index',
];

/** The parameter schema of the varied definitions: closed, so `payload.nope` is a warning. */
export const VARIED_PARAMETER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    amount: { type: 'number' },
    name: { type: 'string' },
    lines: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } },
  },
};

/**
 * A definition of about `size` steps drawn from `seed`: assigns (literals, expressions, objects,
 * arrays), logs with templates, saved HTTP calls whose fields take the wrong type, and every
 * block (if, switch, forEach with collect, parallel with results, try/catch/finally) nested up to
 * four deep, with some steps disabled or continuing on error. For comparing two implementations
 * of the data flow check, not for running.
 */
export function variedDefinition(
  seed: number,
  size: number,
): Pick<TVersionDocumentInput, 'parameterSchema' | 'env' | 'steps' | 'output'> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let count = 0;
  const read = () => ({ $expr: pick(READS) });
  const literal = (): unknown =>
    pick([
      () => 1,
      () => 'text',
      () => ({ x: 1, y: { z: 'deep' } }),
      () => [1, 2],
      () => read(),
      () => ({ $expr: '$sum([1, 2])' }),
      () => ({ $template: `Hello {{ ${pick(READS)} }}` }),
    ])();
  const leaf = (): TStep => {
    const id = `s${++count}`;
    const extra: Partial<TStep> = random() < 0.08 ? { onError: 'continue' } : random() < 0.05 ? { disabled: true } : {};
    return pick<() => TStep>([
      () => ({
        id,
        type: 'transform.assign',
        config: { assign: { [pick(WRITES)]: literal(), [pick(WRITES)]: literal() } },
        ...extra,
      }),
      () => ({
        id,
        type: 'log',
        config: {
          level: 'info',
          message: { $template: `at {{ ${pick(READS)} }} and {{ ${pick(READS)} }}` },
          data: read(),
        },
        ...extra,
      }),
      () => ({
        id,
        type: 'action.call',
        config: {
          action: 'http.request',
          input: { url: { $template: `http://x/{{ ${pick(READS)} }}` }, method: read(), timeoutMs: read() },
          saveAs: 'vars.res',
        },
        ...extra,
      }),
    ])();
  };
  const pipe = (depth: number, length: number): TStep[] =>
    Array.from({ length }, () => (depth < 4 && random() < 0.3 && count < size ? block(depth + 1) : leaf()));
  const inner = (depth: number) => pipe(depth, 1 + Math.floor(random() * 3));
  const block = (depth: number): TStep => {
    const id = `b${++count}`;
    const extra: Partial<TStep> = random() < 0.05 ? { disabled: true } : random() < 0.05 ? { onError: 'continue' } : {};
    return pick<() => TStep>([
      () => ({
        id,
        type: 'control.if',
        config: { condition: read(), then: inner(depth), else: inner(depth) },
        ...extra,
      }),
      () => ({
        id,
        type: 'control.switch',
        config: { value: read(), cases: [{ when: 'a', steps: inner(depth) }], default: inner(depth) },
        ...extra,
      }),
      () => ({
        id,
        type: 'control.forEach',
        config: { items: read(), steps: inner(depth), collect: read(), saveAs: 'vars.items' },
        ...extra,
      }),
      () => ({
        id,
        type: 'control.parallel',
        config: {
          branches: [
            { id: 'left', steps: inner(depth), result: read() },
            { id: 'right', steps: inner(depth), result: { $expr: 'vars.a' } },
          ],
          saveAs: 'vars.par',
        },
        ...extra,
      }),
      () => ({
        id,
        type: 'control.tryCatch',
        config: { try: inner(depth), catch: inner(depth), ...(random() < 0.5 ? { finally: inner(depth) } : {}) },
        ...extra,
      }),
    ])();
  };
  const steps: TStep[] = [];
  while (count < size) steps.push(...pipe(0, 1));
  return {
    parameterSchema: VARIED_PARAMETER_SCHEMA,
    env: { vars: { BASE: 'http://x' } },
    steps,
    output: { total: read(), note: { $template: `{{ ${pick(READS)} }}` } },
  };
}

/** Every step id in document order, with the fields whose scope differs (a forEach's collect, a parallel's results). */
export function stepFields(steps: readonly TStep[]): Array<{ stepId: string; field?: string }> {
  const out: Array<{ stepId: string; field?: string }> = [];
  const visit = (list: readonly TStep[]) => {
    for (const step of list) {
      out.push({ stepId: step.id });
      if (step.type === 'control.forEach') out.push({ stepId: step.id, field: 'collect' });
      if (step.type === 'control.parallel')
        out.push({ stepId: step.id, field: 'branches[0].result' }, { stepId: step.id, field: 'branches[1].result' });
      for (const pipe of nestedPipes({ type: step.type, config: step.config ?? {} })) visit(pipe.steps);
    }
  };
  visit(steps);
  return out;
}
