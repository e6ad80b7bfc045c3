import type { Migration } from 'kysely';
import * as m20261122000000 from './20261122000000_foundation';
import * as m20261122000100 from './20261122000100_sign_in_failures';
import * as m20261122010000 from './20261122010000_workflows';
import * as m20261122020000 from './20261122020000_runtime';
import * as m20261122031000 from './20261122031000_email_messages';
import * as m20261122040000 from './20261122040000_triggers';
import * as m20261122090000 from './20261122090000_runtime_indexes';
import * as m20261203000000 from './20261203000000_ordered_documents';
import * as m20261204000000 from './20261204000000_run_state';
import * as m20261205000000 from './20261205000000_email_send_claims';
import * as m20261205000100 from './20261205000100_run_block_results';
import * as m20261206100000 from './20261206100000_webhook_signatures_seen';
import * as m20261207000000 from './20261207000000_user_session_version';
import * as m20261208000000 from './20261208000000_auth_change_notices';
import * as m20261208000100 from './20261208000100_runs_list_indexes';
import * as m20261212000000 from './20261212000000_operations';
import * as m20261212000100 from './20261212000100_alerts';
import * as m20261212000200 from './20261212000200_trace_export';
import * as m20261213000000 from './20261213000000_task_approvals';
import * as m20261213000100 from './20261213000100_task_escalation';
import * as m20261213000200 from './20261213000200_task_delegations';
import * as m20261214000000 from './20261214000000_connections';
import * as m20261214000100 from './20261214000100_llm_usage';
import * as m20261216000000 from './20261216000000_run_hour_counts';
import * as m20261216000100 from './20261216000100_runs_filter_gin';
import * as m20261217000000 from './20261217000000_run_artifacts';
import * as m20261218000000 from './20261218000000_task_links';
import * as m20261220000000 from './20261220000000_test_runs';
import * as m20261222000000 from './20261222000000_audit_sessions';
import * as m20261222000100 from './20261222000100_webhook_listens';
import * as m20261224000100 from './20261224000100_runs_filters_text_tenant';
import * as m20261226000000 from './20261226000000_runs_hot_commits';
import * as m20261227000000 from './20261227000000_runs_held_idx';
import * as m20261228000000 from './20261228000000_worker_fetched_jobs';
import * as m20261229000000 from './20261229000000_history_without_foreign_keys';
import * as m20261229000100 from './20261229000100_version_run_limits';
import * as m20270102000000 from './20270102000000_runs_active_lease_idx_dropped';
import * as m20270103000000 from './20270103000000_run_input_texts';
import * as m20270104000000 from './20270104000000_step_snapshot_column';
import * as m20270105000000 from './20270105000000_run_event_batches';
import * as m20270108000000 from './20270108000000_versions_with_run_limits_idx';
import * as m20270108000100 from './20270108000100_runs_queued_idx_dropped';

/**
 * Every migration, by name, in order. A new migration file is added here too; the schema
 * test fails when a file in this folder is missing from the list.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '20261122000000_foundation': m20261122000000,
  '20261122000100_sign_in_failures': m20261122000100,
  '20261122010000_workflows': m20261122010000,
  '20261122020000_runtime': m20261122020000,
  '20261122031000_email_messages': m20261122031000,
  '20261122040000_triggers': m20261122040000,
  '20261122090000_runtime_indexes': m20261122090000,
  '20261203000000_ordered_documents': m20261203000000,
  '20261204000000_run_state': m20261204000000,
  '20261205000000_email_send_claims': m20261205000000,
  '20261205000100_run_block_results': m20261205000100,
  '20261206100000_webhook_signatures_seen': m20261206100000,
  '20261207000000_user_session_version': m20261207000000,
  '20261208000000_auth_change_notices': m20261208000000,
  '20261208000100_runs_list_indexes': m20261208000100,
  '20261212000000_operations': m20261212000000,
  '20261212000100_alerts': m20261212000100,
  '20261212000200_trace_export': m20261212000200,
  '20261213000000_task_approvals': m20261213000000,
  '20261213000100_task_escalation': m20261213000100,
  '20261213000200_task_delegations': m20261213000200,
  '20261214000000_connections': m20261214000000,
  '20261214000100_llm_usage': m20261214000100,
  '20261216000000_run_hour_counts': m20261216000000,
  '20261216000100_runs_filter_gin': m20261216000100,
  '20261217000000_run_artifacts': m20261217000000,
  '20261218000000_task_links': m20261218000000,
  '20261220000000_test_runs': m20261220000000,
  '20261222000000_audit_sessions': m20261222000000,
  '20261222000100_webhook_listens': m20261222000100,
  '20261224000100_runs_filters_text_tenant': m20261224000100,
  '20261226000000_runs_hot_commits': m20261226000000,
  '20261227000000_runs_held_idx': m20261227000000,
  '20261228000000_worker_fetched_jobs': m20261228000000,
  '20261229000000_history_without_foreign_keys': m20261229000000,
  '20261229000100_version_run_limits': m20261229000100,
  '20270102000000_runs_active_lease_idx_dropped': m20270102000000,
  '20270103000000_run_input_texts': m20270103000000,
  '20270104000000_step_snapshot_column': m20270104000000,
  '20270105000000_run_event_batches': m20270105000000,
  '20270108000000_versions_with_run_limits_idx': m20270108000000,
  '20270108000100_runs_queued_idx_dropped': m20270108000100,
};
