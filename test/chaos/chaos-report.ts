import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TJournal, TViolation } from '@/test/chaos/chaos-journal';
import type { TChaosWorld } from '@/test/chaos/chaos-world';
import type { TGeneratedWorkflow } from '@/test/chaos/generate-workflows';

/**
 * Violations printed with their run's whole context, per invariant (so one flood of a kind
 * does not crowd out a rare one); the rest get one line each.
 */
const DETAILED_PER_INVARIANT = 5;
const EVENTS_SHOWN = 60;

const short = (value: unknown, max = 160) => {
  const text = JSON.stringify(value) ?? '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

/**
 * Prints each violation with its run (workflow, status, error, the event log with seq, type,
 * step and data) and writes everything (workflow documents, violations, journal, worker
 * output) to a JSON file for a closer look. Returns that file, or null when all is well.
 */
export async function writeChaosReport({
  world,
  journal,
  workflows,
  violations,
  notices,
  seed,
  log,
}: {
  world: TChaosWorld;
  journal: TJournal;
  workflows: readonly TGeneratedWorkflow[];
  violations: readonly TViolation[];
  notices: readonly string[];
  seed: number;
  log: (line: string) => void;
}): Promise<string | null> {
  const byInvariant = new Map<string, number>();
  for (const v of violations) byInvariant.set(v.invariant, (byInvariant.get(v.invariant) ?? 0) + 1);
  const statuses = await world.db
    .selectFrom('runs')
    .select('status')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .groupBy('status')
    .execute();
  log(`runs by status: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}`);
  log(
    `operations: ${[...journal.counts]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  log(`faults: ${world.faults.map((f) => f.kind).join(', ') || 'none'}`);
  for (const notice of notices) log(`notice: ${notice}`);
  if (violations.length === 0) return null;
  log(`\n${violations.length} violation(s): ${[...byInvariant].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  const contexts: Record<string, unknown> = {};
  const detailed = new Map<string, number>();
  for (const [i, v] of violations.entries()) {
    const run = v.runId
      ? await world.db
          .selectFrom('runs')
          .select(['workflow_key', 'status', 'error', 'parent_run_id', 'lease_owner', 'fence'])
          .where('id', '=', v.runId)
          .executeTakeFirst()
          .catch(() => undefined)
      : undefined;
    log(
      `\n#${i + 1} [${v.invariant}] run ${v.runId ?? '-'}${run ? ` (${run.workflow_key}, now ${run.status})` : ''}\n   ${v.message}`,
    );
    const shownOfKind = detailed.get(v.invariant) ?? 0;
    if (!v.runId || !run || shownOfKind >= DETAILED_PER_INVARIANT) continue;
    detailed.set(v.invariant, shownOfKind + 1);
    const events = await world.db
      .selectFrom('run_events')
      .select(['seq', 'type', 'step_id', 'at', 'data'])
      .where('run_id', '=', v.runId)
      .orderBy('seq')
      .execute();
    contexts[v.runId] = { run, events };
    if (run.error) log(`   error: ${short(run.error, 300)}`);
    const shown = events.length > EVENTS_SHOWN ? events.slice(-EVENTS_SHOWN) : events;
    if (shown.length < events.length) log(`   … ${events.length - shown.length} earlier events`);
    for (const e of shown)
      log(
        `   ${String(e.seq).padStart(4)} ${e.at.toISOString().slice(11, 23)} ${e.type.padEnd(20)} ${(e.step_id ?? '').padEnd(9)} ${short(e.data)}`,
      );
  }
  const involved = new Set(
    Object.values(contexts).map((c) => (c as { run: { workflow_key: string } }).run.workflow_key),
  );
  for (const workflow of workflows.filter((w) => involved.has(w.key)))
    log(`\nworkflow ${workflow.key}: ${JSON.stringify(workflow.document)}`);
  const file = path.join(tmpdir(), `pipewright-chaos-${seed}-${Date.now()}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        seed,
        violations,
        notices,
        contexts,
        workflows: workflows.map((w) => ({
          key: w.key,
          maxConcurrentRuns: w.maxConcurrentRuns,
          forEachWindows: w.forEachWindows,
          document: w.document,
        })),
        journal: { ...journal, counts: Object.fromEntries(journal.counts) },
        faults: world.faults,
        workers: world.slots.map((s) => ({
          pid: s.worker?.pid,
          id: s.worker?.id,
          output: s.worker?.output().slice(-50_000),
        })),
      },
      null,
      1,
    ),
  );
  log(`\nfull report: ${file}`);
  return file;
}
