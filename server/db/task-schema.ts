import 'server-only';
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

/** One person's answer to a task (migration 20261213000000_task_approvals): a quorum counts these. */
export interface TaskAnswersTable {
  id: Generated<string>;
  tenant_id: string;
  task_id: string;
  by: string;
  /** The delegator when the answer was given by their delegate. */
  on_behalf_of: string | null;
  outcome: string;
  data: Json;
  at: Timestamp;
}

export interface TaskCommentsTable {
  id: Generated<string>;
  tenant_id: string;
  task_id: string;
  author: string;
  text: string;
  created_at: Timestamp;
}

/** A person's delegation of their tasks (migration 20261213000200_task_delegations). */
export interface TaskDelegationsTable {
  tenant_id: string;
  user_id: string;
  delegate_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  created_at: Timestamp;
}

/** A one-click email link (migration 20261218000000_task_links): the token's SHA-256 only, single-use. */
export interface TaskLinksTable {
  id: Generated<string>;
  tenant_id: string;
  task_id: string;
  token_hash: string;
  outcome: string;
  user_id: string;
  email: string;
  created_at: Generated<Date>;
  used_at: Date | null;
}

/** Tables of human tasks beyond the runtime's `tasks` row. */
export interface TaskTables {
  task_links: TaskLinksTable;
  task_answers: TaskAnswersTable;
  task_comments: TaskCommentsTable;
  task_delegations: TaskDelegationsTable;
}
