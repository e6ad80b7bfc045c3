/**
 * `npm run chaos [--seed N] [--minutes M]`: a seeded chaos run against real PostgreSQL and two
 * real worker processes, checking SPEC §7 over the whole database. Prints the seed first;
 * `--seed N` replays the same workflows and the same schedule of actions and faults (timing
 * still varies). Exits 1 with `chaos failed (seed N)` on any violation.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChaos } from '@/test/chaos/chaos-run';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    minutes: { type: 'string', default: '2' },
    'no-pg-restart': { type: 'boolean', default: false },
    'no-huge-retry-after': { type: 'boolean', default: false },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const minutes = Number(values.minutes);
if (!Number.isInteger(seed) || seed < 0 || !(minutes > 0 && minutes <= 120)) {
  console.error(
    'usage: npm run chaos [-- --seed N] [--minutes M (0 < M <= 120)] [--no-pg-restart] [--no-huge-retry-after]',
  );
  process.exit(2);
}
// The workers are started as `worker/main.ts` relative to the repository root.
process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'));
const chaosMs = Math.round(minutes * 60_000);

const started = Date.now();
runChaos({
  seed,
  chaosMs,
  quietMs: Math.max(45_000, Math.round(chaosMs / 3)),
  runs: Math.max(12, Math.round(chaosMs / 1_500)),
  workflows: 6,
  pgRestart: minutes >= 2 && !values['no-pg-restart'],
  hugeRetryAfter: !values['no-huge-retry-after'],
  log: (line) => console.log(line),
})
  .then((result) => {
    const took = Math.round((Date.now() - started) / 1000);
    if (result.violations.length > 0) {
      console.log(
        `\nchaos failed (seed ${seed}): ${result.violations.length} violation(s) over ${result.runs} runs in ${took} s`,
      );
      process.exit(1);
    }
    console.log(`\nchaos passed (seed ${seed}): ${result.runs} runs in ${took} s, no violation`);
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    console.error(`\nchaos failed (seed ${seed}): the run itself broke`);
    process.exit(1);
  });
