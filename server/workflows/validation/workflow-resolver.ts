import 'server-only';
/**
 * How validation sees other workflows of the tenant, for `control.callWorkflow` targets:
 * whether a key exists, its published versions, and which workflows a version calls.
 * Implemented over the database by server/workflows/create-workflow-resolver.ts.
 */
export type TWorkflowResolver = {
  /** Published version numbers of `key` (empty when it has none), or null when there is no such workflow. */
  publishedVersions: (key: string) => Promise<number[] | null>;
  /** The `{workflow, version}` targets that the given published version calls. */
  calleesOf: (
    key: string,
    version: number,
  ) => Promise<Array<{ workflow: string; version: number | 'latest' | undefined }>>;
};
