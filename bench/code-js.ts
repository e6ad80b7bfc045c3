/**
 * code.js's cost per evaluation (SPEC §9), beside a JSONata evaluation of the same arithmetic
 * in the same run. Run alone with `node --conditions=react-server --import tsx bench/code-js.ts`; `npm run bench`
 * prints it as section 7.
 *   baseline: evaluateExpression (JSONata, in-thread with its guards), what a transform.assign
 *             of the same sum costs.
 *   QuickJS in-thread: a fresh runtime and context per evaluation, prelude, compile, run,
 *             JSON out, on this thread (what one code worker does per request).
 *   runCode: the above in a code worker thread, with the message round-trip (what a step pays).
 */
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { closeCodePool } from '@/server/runtime/code/code-pool';
import { evaluateCode } from '@/server/runtime/code/evaluate-code';
import { runCode } from '@/server/runtime/code/run-code';
import { closeExpressionPool } from '@/server/runtime/expressions/close-expression-pool';
import { evaluateExpression } from '@/server/runtime/expressions/evaluate-expression';
import { latencyRow, percentiles, type TStats } from '@/bench/lib/stats';

const N = Number(process.env.BENCH_CODE_N ?? 500);
const lines = Array.from({ length: 20 }, (_, i) => ({ sku: `S${i}`, qty: i % 3, price: i * 1.5 }));
const envelope = {
  payload: { lines },
  vars: {},
  env: {},
  meta: {
    runId: 'bench',
    workflowKey: 'bench',
    version: 1,
    tenantId: 't',
    startedAt: '',
    trigger: { type: 'api' },
    stepId: 's',
    attempt: 1,
    state: null,
  },
  error: null,
};
const JSONATA = '$sum(payload.lines.(qty * price))';
const JS = 'return input.payload.lines.reduce((sum, line) => sum + line.qty * line.price, 0);';

async function timeEach(fn: () => unknown): Promise<TStats> {
  for (let i = 0; i < Math.min(50, N); i++) await fn(); // warm-up: JIT, caches, threads
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return percentiles(samples);
}

/** Section 7 of `npm run bench`: prints each figure beside the JSONata baseline, returns them. */
export async function codeBenchmarks(): Promise<Record<string, TStats>> {
  const expected = await evaluateExpression({ source: JSONATA, envelope });
  const viaPool = await runCode({ source: JS, input: envelope });
  if (!viaPool.ok || viaPool.value !== expected)
    throw new Error(`code.js and JSONata disagree: ${JSON.stringify(viaPool)} vs ${String(expected)}`);
  const wasmMemory = new WebAssembly.Memory({ initial: 256, maximum: 768 });
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));
  const inputJson = JSON.stringify(envelope);
  console.log(`\n7. code.js per evaluation (the same 20-line sum), n=${N}`);
  const baseline = await timeEach(() => evaluateExpression({ source: JSONATA, envelope }));
  console.log(latencyRow('baseline: JSONata evaluateExpression', baseline));
  const inThread = await timeEach(() =>
    evaluateCode(module, { id: 1, source: JS, inputJson, timeoutMs: 1000, memoryMb: 32 }),
  );
  console.log(latencyRow('QuickJS, fresh runtime, in-thread', inThread));
  const step = await timeEach(() => runCode({ source: JS, input: envelope }));
  console.log(latencyRow('runCode (code worker thread + round-trip)', step));
  await closeCodePool();
  await closeExpressionPool();
  return { jsonata: baseline, quickjsInThread: inThread, runCode: step };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  codeBenchmarks().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
