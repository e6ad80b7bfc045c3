import 'server-only';
import { z } from 'zod';
import type { DbOrTx } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import type { TStep } from '@/model/definition/step';
import { ZWorkflowKey, type TVersionDocument } from '@/model/definition/version-document';
import { diffJsonPaths } from '@/server/workflows/diff-json-paths';
import { findWorkflow } from '@/server/workflows/find-workflow';
import { findVersion, readStoredDocument, ZVersionNumber } from '@/server/workflows/version-record';
import { isPipe, walkSteps, type TStepLocation } from '@/server/workflows/walk-steps';

export const ZDiffVersions = z.object({ key: ZWorkflowKey, version: ZVersionNumber, against: ZVersionNumber });
export type TDiffVersions = z.input<typeof ZDiffVersions>;

const WORKFLOW_FIELDS = ['name', 'description', 'parameterSchema', 'env', 'settings', 'output'] as const;

const ZStepRef = z.object({ stepId: z.string(), type: z.string(), path: z.string() });
export const ZVersionDiff = z.object({
  key: z.string(),
  /** The older side (`against`) and the newer side (`version`). */
  from: z.number().int(),
  to: z.number().int(),
  steps: z.object({
    added: z.array(ZStepRef),
    removed: z.array(ZStepRef),
    /** Into another pipe, or reordered among the steps both versions share in the same pipe. */
    moved: z.array(z.object({ stepId: z.string(), from: z.string(), to: z.string() })),
    /** The step's own fields that changed, relative to the step (`config.input.url`); nested steps are reported on their own. */
    changed: z.array(z.object({ stepId: z.string(), path: z.string(), changes: z.array(z.string()) })),
  }),
  workflow: z.array(z.object({ field: z.enum(WORKFLOW_FIELDS), paths: z.array(z.string()) })),
});
export type TVersionDiff = z.infer<typeof ZVersionDiff>;

function locate(document: TVersionDocument): Map<string, TStepLocation> {
  const out = new Map<string, TStepLocation>();
  walkSteps(document.steps, (location) => out.set(location.step.id, location));
  return out;
}

/** The step without the steps nested in it (each nested step is compared by itself); a nested pipe becomes a marker. */
function ownFields(step: TStep): unknown {
  const strip = (value: unknown): unknown => {
    if (isPipe(value)) return '[steps]';
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    return value;
  };
  return step.type.startsWith('control.') ? { ...step, config: strip(step.config) } : step;
}

/** Ids of a pipe's steps that exist in the same pipe on both sides, in order. */
function sharedOrder(locations: Map<string, TStepLocation>, other: Map<string, TStepLocation>, pipe: string): string[] {
  return [...locations.values()]
    .filter((l) => l.pipe === pipe && other.get(l.step.id)?.pipe === pipe)
    .sort((a, b) => a.index - b.index)
    .map((l) => l.step.id);
}

/** Compares two versions of a definition step by step id: what was added, removed, moved or changed. */
export function diffDocuments(
  before: TVersionDocument,
  after: TVersionDocument,
): Omit<TVersionDiff, 'key' | 'from' | 'to'> {
  const old = locate(before);
  const now = locate(after);
  const ref = (l: TStepLocation) => ({ stepId: l.step.id, type: l.step.type, path: l.path });
  const steps: TVersionDiff['steps'] = {
    added: [...now.values()].filter((l) => !old.has(l.step.id)).map(ref),
    removed: [...old.values()].filter((l) => !now.has(l.step.id)).map(ref),
    moved: [],
    changed: [],
  };
  for (const [id, next] of now) {
    const prev = old.get(id);
    if (!prev) continue;
    const reordered =
      prev.pipe === next.pipe &&
      sharedOrder(old, now, prev.pipe).indexOf(id) !== sharedOrder(now, old, next.pipe).indexOf(id);
    if (prev.pipe !== next.pipe || reordered) steps.moved.push({ stepId: id, from: prev.path, to: next.path });
    const changes = diffJsonPaths(ownFields(prev.step), ownFields(next.step));
    if (changes.length > 0) steps.changed.push({ stepId: id, path: next.path, changes });
  }
  const workflow = WORKFLOW_FIELDS.map((field) => ({
    field,
    paths: diffJsonPaths(before[field], after[field], field),
  })).filter((c) => c.paths.length > 0);
  return { steps, workflow };
}

/** A readable structural diff of version `version` against version `against` of one workflow. */
export async function diffVersions({
  db,
  ctx,
  input,
}: {
  db: DbOrTx;
  ctx: TAuthContext;
  input: TDiffVersions;
}): Promise<TVersionDiff> {
  assertAllowed(ctx, 'workflow.read');
  const { key, version, against } = ZDiffVersions.parse(input);
  const workflow = await findWorkflow({ db, tenantId: ctx.tenantId, key });
  const before = readStoredDocument(await findVersion({ db, workflowId: workflow.id, key, version: against }));
  const after = readStoredDocument(await findVersion({ db, workflowId: workflow.id, key, version }));
  return { key, from: against, to: version, ...diffDocuments(before, after) };
}
