/**
 * `node --conditions=react-server --import tsx bench/expressions.ts`: what the bounded evaluator costs per evaluation,
 * beside its baseline in the same run.
 *   1. baseline: a pre-compiled jsonata expression evaluated in-thread, no guards.
 *   2. in-thread guards only (jsonata guardrails, exit hook, plain-JSON copy), cached compile.
 *   3. evaluateExpression on an expression that may stay in-thread (no regex, bounded built-ins).
 *   4. evaluateExpression on one that must go to a worker (a regex): the guards inside a pool
 *      worker, plus the message round-trip.
 */
import jsonata from 'jsonata';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { evaluateExpression } from '@/server/runtime/expressions/evaluate-expression';
import { evaluateInThread } from '@/server/runtime/expressions/evaluate-in-thread';
import type { TExpressionEnvelope } from '@/server/runtime/expressions/expression-envelope';
import { EXPRESSION_LIMITS } from '@/server/runtime/expressions/expression-limits';

const N = Number(process.env.BENCH_N ?? 2000);
const SOURCE =
  '{ "total": $sum(payload.lines.(qty * price)), "customer": $uppercase(payload.customer.name), "big": vars.threshold < 20 }';
const envelope: TExpressionEnvelope = {
  payload: {
    customer: { name: 'Ada' },
    lines: Array.from({ length: 20 }, (_, i) => ({ sku: `S${i}`, qty: i % 3, price: i * 1.5 })),
  },
  vars: { threshold: 10 },
  env: {},
  meta: { runId: 'r1' },
  error: null,
};

async function timeEach(fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up: JIT, caches, worker start
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

function row(name: string, s: { p50: number; p99: number }): string {
  return `${name.padEnd(46)} n=${N}  p50=${s.p50.toFixed(3).padStart(7)} ms  p99=${s.p99.toFixed(3).padStart(7)} ms`;
}

const baseline = jsonata(SOURCE);
console.log(row('jsonata evaluate, in-thread (baseline)', await timeEach(() => baseline.evaluate(envelope))));
console.log(
  row(
    'guarded, in-thread (no worker)',
    await timeEach(() => evaluateInThread({ source: SOURCE, data: envelope, bindings: {}, limits: EXPRESSION_LIMITS })),
  ),
);
console.log(
  row('evaluateExpression (stays in-thread)', await timeEach(() => evaluateExpression({ source: SOURCE, envelope }))),
);
const REGEX_SOURCE = '$count($match(payload.customer.name, /a/i))';
console.log(
  row(
    'evaluateExpression with a regex (worker pool)',
    await timeEach(() => evaluateExpression({ source: REGEX_SOURCE, envelope })),
  ),
);
await closeExpressionPool();
