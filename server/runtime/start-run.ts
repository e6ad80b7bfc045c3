import 'server-only';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { getDb, type DbOrTx, type Tx } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { insertRun, type TNewRun, type TNewRunAudit } from '@/server/runtime/run-store/insert-run';
import { insertRunBatched } from '@/server/runtime/run-store/run-insert-batcher';
import type { RunWriter } from '@/server/runtime/interpreter/run-writer';
import { validateRunInput } from '@/server/runtime/validate-run-input';
import type { TTriggerType } from '@/model/definition/envelope';
import { ZVersionDocument } from '@/model/definition/version-document';

export type TStartRun = {
  tenantId: string;
  workflowKey: string;
  /** A published version, or "latest" (the highest published). */
  version?: number | 'latest';
  input: unknown;
  trigger: { type: TTriggerType; id?: string };
  idempotencyKey?: string;
  parent?: { runId: string; stepPath: string };
  /** For child runs: commit with the parent's batch instead of a transaction of our own. */
  defer?: RunWriter;
  /** Creates the run inside the caller's transaction (an event delivery, a schedule's slot claim) instead of one of its own. */
  tx?: Tx;
  /** Runs inside the transaction that creates the run; not called when an idempotency key finds an existing run. */
  onCreate?: (tx: Tx, runId: string) => Promise<void>;
  /** The audit entry recording the start (its target is the run), written with the run. */
  audit?: TNewRunAudit;
};

type TPinned = Awaited<ReturnType<typeof pinVersion>>;

/**
 * The versions recent starts pinned, by tenant, workflow and the version asked for: what a
 * start validates its input against without reading the version first. Only a hint: the
 * statement that writes the run checks it is still right (still the latest published version
 * of a workflow not archived), and a start whose hint is stale pins again in a transaction.
 */
const pinnedHints = new Map<string, TPinned>();
const MAX_HINTS = 1000;
const hintKey = (tenantId: string, workflowKey: string, version: number | 'latest') =>
  `${tenantId}:${workflowKey}:${version}`;

function rememberPin(key: string, pinned: TPinned): void {
  pinnedHints.delete(key);
  if (pinnedHints.size >= MAX_HINTS) pinnedHints.delete(pinnedHints.keys().next().value!);
  pinnedHints.set(key, pinned);
}

/** The published version a start pins: the one asked for, or the latest. */
async function pinVersion(db: DbOrTx, tenantId: string, workflowKey: string, version: number | 'latest') {
  let query = db
    .selectFrom('workflow_versions')
    .innerJoin('workflows', 'workflows.id', 'workflow_versions.workflow_id')
    .select([
      'workflow_versions.id',
      'workflow_versions.version',
      'workflow_versions.document',
      'workflows.id as workflowId',
      'workflows.status as workflowStatus',
    ])
    .where('workflows.tenant_id', '=', tenantId)
    .where('workflows.key', '=', workflowKey)
    .where('workflow_versions.status', '=', 'published');
  query =
    version === 'latest'
      ? query.orderBy('workflow_versions.version', 'desc')
      : query.where('workflow_versions.version', '=', version);
  const row = await query.limit(1).executeTakeFirst();
  if (!row) {
    const exists = await db
      .selectFrom('workflows')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', workflowKey)
      .executeTakeFirst();
    if (!exists) throw new AppError('NOT_FOUND', `No workflow with key "${workflowKey}".`);
    throw new AppError(
      'CONFLICT',
      version === 'latest'
        ? `Workflow "${workflowKey}" has no published version to run.`
        : `Workflow "${workflowKey}" has no published version ${version}.`,
    );
  }
  if (row.workflowStatus === 'archived')
    throw new AppError('CONFLICT', `Workflow "${workflowKey}" is archived; restore it to start runs.`);
  return { ...row, document: ZVersionDocument.parse(row.document) };
}

function runRow(args: TStartRun, id: string, pinned: TPinned): TNewRun {
  return {
    id,
    tenantId: args.tenantId,
    workflowId: pinned.workflowId,
    workflowKey: args.workflowKey,
    versionId: pinned.id,
    version: pinned.version,
    input: args.input ?? {},
    trigger: args.trigger,
    parent: args.parent ?? null,
    idempotencyKey: args.idempotencyKey ?? null,
    audit: args.audit ?? null,
  };
}

/**
 * Starts a run: checks the input against the pinned version's parameter schema (422, no run,
 * when it does not fit), then stores the run and its job in one transaction. With an
 * idempotency key, a second start returns the run the first one created.
 */
export async function startRun(args: TStartRun): Promise<{ runId: string; status: string; created: boolean }> {
  const db = getDb();
  const version = args.version ?? 'latest';
  const key = hintKey(args.tenantId, args.workflowKey, version);
  // A plain start (no caller's transaction, no idempotency key, nothing to run with it) is one
  // statement, shared with the starts around it: the version pinned from the hint is checked
  // by that statement, so the input is never checked against a version the run does not get.
  const plain = !args.tx && !args.defer && !args.idempotencyKey && !args.onCreate;
  const hint = plain ? pinnedHints.get(key) : undefined;
  if (hint) {
    validateRunInput({ versionId: hint.id, schema: hint.document.parameterSchema, input: args.input ?? {} });
    const id = randomUUID();
    if (await insertRunBatched({ ...runRow(args, id, hint), check: version === 'latest' ? 'latest' : 'version' }))
      return { runId: id, status: 'QUEUED', created: true };
    pinnedHints.delete(key); // published since, archived or deleted: pin again below
  }
  // Inside the caller's transaction when there is one: a caller holding locks must not wait for a second connection.
  const pinned = await pinVersion(args.tx ?? db, args.tenantId, args.workflowKey, version);
  validateRunInput({ versionId: pinned.id, schema: pinned.document.parameterSchema, input: args.input ?? {} });
  rememberPin(key, pinned);
  const id = randomUUID();
  if (args.defer) {
    args.defer.also((tx) => insertRun(tx, runRow(args, id, pinned)));
    return { runId: id, status: 'QUEUED', created: true };
  }
  const create = async (tx: Tx) => {
    if (args.idempotencyKey) {
      // Serialize starts with the same key so exactly one of them creates the run.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`${args.tenantId}:${pinned.workflowId}:${args.idempotencyKey}`}))`.execute(
        tx,
      );
      const existing = await tx
        .selectFrom('runs')
        .select(['id', 'status'])
        .where('tenant_id', '=', args.tenantId)
        .where('workflow_id', '=', pinned.workflowId)
        .where('idempotency_key', '=', args.idempotencyKey)
        .executeTakeFirst();
      if (existing) return { runId: existing.id, status: existing.status, created: false };
    }
    await insertRun(tx, runRow(args, id, pinned));
    await args.onCreate?.(tx, id);
    return { runId: id, status: 'QUEUED', created: true };
  };
  return args.tx ? create(args.tx) : db.transaction().execute(create);
}
