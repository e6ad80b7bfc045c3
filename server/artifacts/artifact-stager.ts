import 'server-only';
import { createHash } from 'node:crypto';
import type { DbOrTx } from '@/server/db/database';
import type { TArtifactRef } from '@/model/artifacts/artifact-ref';
import { formatByteCount } from '@/server/security/guarded-fetch-error';
import { StepFailure } from '@/server/runtime/nodes/node-result';
import { artifactMaxBytes, MAX_ARTIFACTS_PER_STEP, readArtifactUsage } from '@/server/artifacts/artifact-limits';

/** A file a step returned, before it is stored: checked, named and sized, bytes in memory (at most the max). */
export type TArtifactDraft = { name: string; contentType: string; bytes: Buffer };

/** A checked artifact waiting for the step's commit (RunWriter.artifact → commitBatch). */
export type TStagedArtifact = {
  id: string;
  stepId: string;
  stepPath: string;
  name: string;
  contentType: string;
  bytes: Buffer;
};

/** An RFC 2045 media type with optional parameters; nothing that could end a header line. */
const CONTENT_TYPE =
  /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(?:\s*;\s*[a-z0-9!#$&^_.+-]+=(?:[a-z0-9!#$&^_.+-]+|"[^"\\\p{Cc}]*"))*$/iu;

/** Why a file name is refused, or null: 1–255 characters, no control characters, no path. */
export function artifactNameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'name must not be empty';
  if (name.length > 255) return 'name must be at most 255 characters';
  if (/\p{Cc}/u.test(name)) return 'name must not contain control characters or line breaks';
  if (/[/\\]/.test(name)) return 'name must be a file name, without "/" or "\\"';
  return null;
}

export function isValidContentType(value: string): boolean {
  return value.length <= 255 && CONTENT_TYPE.test(value);
}

/**
 * The artifact's id, derived from where it was made: the same step of the same run committing
 * again (an operator's retry re-running a finally) replaces its file rather than adding one.
 * A UUID (version 8, the variant bits set) of sha256(run, path, index).
 */
export function artifactId(runId: string, stepPath: string, index: number): string {
  const hex = createHash('sha256')
    .update(`${runId}\u0000${stepPath}\u0000${index}`)
    .digest('hex')
    .slice(0, 32)
    .split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const failure = (code: string, message: string, details?: Record<string, unknown>) =>
  new StepFailure({ code, message, ...(details ? { details } : {}), retryable: false });

/**
 * Checks the files one step returns (size, the tenant's quota, name and type) and keeps them
 * for the step's commit; hands back the reference its output holds instead of the bytes.
 * A dry run (test a step, replay) stores nothing and gets references with `id: null`.
 * Refusals are StepFailures (not retried: the same file is refused again).
 */
export class ArtifactStager {
  readonly staged: TStagedArtifact[] = [];
  private count = 0;

  constructor(
    private readonly where: {
      db: DbOrTx;
      tenantId: string;
      runId: string;
      stepId: string;
      stepPath: string;
      dryRun: boolean;
      /** The run's secret mask: a file of text is masked like any output. */
      maskSecrets: (value: unknown) => unknown;
    },
  ) {}

  async stage(draft: TArtifactDraft): Promise<TArtifactRef> {
    const { stepId, stepPath } = this.where;
    const nameProblem = artifactNameProblem(draft.name);
    if (nameProblem) throw failure('VALIDATION', `Step "${stepId}": artifact ${nameProblem}`);
    if (!isValidContentType(draft.contentType))
      throw failure(
        'VALIDATION',
        `Step "${stepId}": artifact "${draft.name}": contentType "${draft.contentType.slice(0, 80)}" is not a media type such as text/csv`,
      );
    if (this.count >= MAX_ARTIFACTS_PER_STEP)
      throw failure('VALIDATION', `Step "${stepId}": a step may return at most ${MAX_ARTIFACTS_PER_STEP} artifacts`);
    const max = artifactMaxBytes();
    if (draft.bytes.length > max)
      throw failure(
        'ARTIFACT_TOO_LARGE',
        `Step "${stepId}": artifact "${draft.name}" is ${formatByteCount(draft.bytes.length)}, more than PIPEWRIGHT_ARTIFACT_MAX_BYTES (${formatByteCount(max)})`,
        { size: draft.bytes.length, maxBytes: max },
      );
    const bytes = this.masked(draft.bytes);
    const index = this.count++;
    const ref = { name: draft.name, contentType: draft.contentType, size: bytes.length };
    if (this.where.dryRun) return { $artifact: { id: null, ...ref } };
    const { usedBytes, quotaBytes } = await readArtifactUsage({ db: this.where.db, tenantId: this.where.tenantId });
    const pending = this.staged.reduce((sum, s) => sum + s.bytes.length, 0);
    if (usedBytes + pending + bytes.length > quotaBytes)
      throw failure(
        'ARTIFACT_QUOTA',
        `Step "${stepId}": storing artifact "${draft.name}" (${formatByteCount(bytes.length)}) would pass the tenant's artifact quota: ${formatByteCount(usedBytes)} of ${formatByteCount(quotaBytes)} used. Delete old runs, or raise the quota (tenants.artifact_quota_bytes, PIPEWRIGHT_ARTIFACT_QUOTA_BYTES).`,
        { size: bytes.length, usedBytes, quotaBytes },
      );
    const id = artifactId(this.where.runId, stepPath, index);
    this.staged.push({ id, stepId, stepPath, name: draft.name, contentType: draft.contentType, bytes });
    return { $artifact: { id, ...ref } };
  }

  /** Text holding one of the run's secrets is stored masked, as the step's output would be; other bytes as they are. */
  private masked(bytes: Buffer): Buffer {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return bytes;
    }
    const masked = this.where.maskSecrets(text);
    return masked === text || typeof masked !== 'string' ? bytes : Buffer.from(masked, 'utf8');
  }
}
