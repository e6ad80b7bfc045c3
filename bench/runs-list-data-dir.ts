/**
 * BENCH_LIST_DATA_DIR=dir: section D keeps its seeded app (embedded PostgreSQL and all) in a
 * directory under `dir` named after what made the data — the schema (every migration's name),
 * the seed's own source and the run count — so only the first bench run pays for seeding, and a
 * change to any of them seeds afresh beside the old one. The data stays what the app wrote: runs
 * inserted by `insertRuns` and run by the real worker. Seeds older than the Overview's week are
 * not reused (their runs would have left the charts).
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type TSeedRecord = {
  at: string;
  runs: number;
  steps: number;
  events: number;
  seedRunsPerSecond: number;
  workerDrainMs: number;
  seedWorkers: number;
};

const MAX_AGE_MS = 6 * 24 * 3_600_000;
const MARK = 'seeded.json';

/** The directory of this schema's, seed's and size's data under `root`, and its seed record if complete and fresh. */
export function keptListData(root: string, runs: number): { dataDir: string; seeded: TSeedRecord | null } {
  const hash = createHash('sha256');
  for (const name of readdirSync('migrations').sort()) hash.update(`${name}\n`);
  hash.update(readFileSync('bench/runs-list-seed.ts'));
  const latest = readdirSync('migrations')
    .filter((name) => /^\d{14}_/.test(name))
    .sort()
    .at(-1)!
    .slice(0, 14);
  const home = path.join(path.resolve(root), `runs-${runs}-schema-${latest}-${hash.digest('hex').slice(0, 12)}`);
  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o755); // the embedded server runs as the postgres user when we are root
  const dataDir = path.join(home, 'data');
  const mark = path.join(home, MARK);
  if (!existsSync(mark) || !existsSync(dataDir)) return { dataDir, seeded: null };
  const seeded = JSON.parse(readFileSync(mark, 'utf8')) as TSeedRecord;
  return { dataDir, seeded: Date.now() - Date.parse(seeded.at) < MAX_AGE_MS ? seeded : null };
}

/** Notes that the data under `dataDir` is completely seeded (the next bench run reuses it). */
export function markSeeded(dataDir: string, record: TSeedRecord): void {
  writeFileSync(path.join(path.dirname(dataDir), MARK), `${JSON.stringify(record, null, 2)}\n`);
}
