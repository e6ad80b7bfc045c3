import 'server-only';
import type { TSnapshotDraft } from '@/server/runtime/run-store/commit-statement';

/**
 * A commit's snapshot rows as the JSON array its `n` CTE reads: the text JSON.stringify makes
 * of `{ step_record_id, path, snapshot, truncated, size_bytes }` rows, byte for byte, with each
 * snapshot's own text put in as it is. A snapshot is made JSON once, as the step ends (its size
 * is measured on that text): kept as objects until the commit, every pending step's copy of the
 * envelope was live through the pass and the commit's round trip, and survived scavenges.
 */
export function snapshotRowsJson(snapshots: readonly TSnapshotDraft[]): string {
  const rows = snapshots.map(
    (s) =>
      `{"step_record_id":${JSON.stringify(s.stepRecordId)},"path":${JSON.stringify(s.path)},"snapshot":${s.json},"truncated":${s.truncated},"size_bytes":${s.sizeBytes}}`,
  );
  return `[${rows.join(',')}]`;
}
