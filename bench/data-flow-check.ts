/**
 * `node --conditions=react-server --import tsx bench/data-flow-check.ts`: the typed data flow
 * check (model/designer/check-data-flow.ts, run by the designer's live check, publish and import)
 * on varied definitions of 100, 400 and 1,000 steps (every block nested up to four deep; assigns,
 * logs with templates, saved HTTP calls), before and after the one-pass scope walk, in the same
 * run: the old one computed each step's scope by walking the definition again (kept in
 * bench/lib/check-data-flow-before.ts). Prints the median of BENCH_N checks (default 5; 3 for
 * the old one at 1,000 steps) with every expression parsed again (a first check), the new one's
 * re-check (the live check after an edit: unchanged expressions' parses are cached), and whether
 * both give the same warnings; BENCH_JSON=path writes them.
 */
import { writeFileSync } from 'node:fs';
import { checkDataFlow as checkDataFlowBefore } from '@/bench/lib/check-data-flow-before';
import { figureRow } from '@/bench/lib/stats';
import { variedDefinition } from '@/bench/lib/varied-definition';
import { checkDataFlow, type TDataFlowSchemas } from '@/model/designer/check-data-flow';
import { clearExpressionReadsCache } from '@/model/designer/expression-reads';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import { listNodeTypes } from '@/server/runtime/registry/list-node-types';

const N = Number(process.env.BENCH_N ?? 5);

const schemas: TDataFlowSchemas = {
  nodes: Object.fromEntries(listNodeTypes().map((node) => [node.type, node.outputSchema])),
  configs: Object.fromEntries(listNodeTypes().map((node) => [node.type, node.configSchema])),
  actions: Object.fromEntries(listActionTypes().map((action) => [action.ref, action.outputSchema])),
  inputs: Object.fromEntries(listActionTypes().map((action) => [action.ref, action.inputSchema])),
};

function medianMs(runs: number, check: () => unknown, { cold }: { cold: boolean }): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (cold) clearExpressionReadsCache();
    const start = performance.now();
    check();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function main(): void {
  const figures: Array<{
    steps: number;
    warnings: number;
    beforeMs: number;
    afterMs: number;
    afterRecheckMs: number;
    same: boolean;
  }> = [];
  console.log('typed data flow check of a whole definition (median): before → after; a re-check after an edit');
  for (const size of [100, 400, 1000]) {
    const definition = variedDefinition(size, size);
    // Warm up both (JSONata parses, JIT) before timing.
    const before = checkDataFlowBefore({ definition, schemas });
    const after = checkDataFlow({ definition, schemas });
    const same = JSON.stringify(before) === JSON.stringify(after);
    // Both cold: every expression parsed again, as the first check of a definition does.
    const runs = size >= 1000 ? Math.min(N, 3) : N;
    const beforeMs = medianMs(runs, () => checkDataFlowBefore({ definition, schemas }), { cold: true });
    const afterMs = medianMs(N, () => checkDataFlow({ definition, schemas }), { cold: true });
    // The live check after an edit: the unchanged expressions' parses are cached.
    const afterRecheckMs = medianMs(N, () => checkDataFlow({ definition, schemas }), { cold: false });
    figures.push({ steps: size, warnings: after.length, beforeMs, afterMs, afterRecheckMs, same });
    console.log(
      figureRow(
        `${size} steps, ${after.length} warnings (${same ? 'the same' : 'NOT the same'} both)`,
        `${beforeMs.toFixed(1)} → ${afterMs.toFixed(1)} ms; ${afterRecheckMs.toFixed(1)} ms`,
      ),
    );
  }
  if (process.env.BENCH_JSON)
    writeFileSync(process.env.BENCH_JSON, `${JSON.stringify({ dataFlowCheck: figures }, null, 2)}\n`);
  if (figures.some((figure) => !figure.same)) process.exitCode = 1;
}

main();
