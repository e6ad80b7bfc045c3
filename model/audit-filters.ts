/** The audit log's action that autosave writes many times per editing session (folded when listed). */
export const AUDIT_FOLDED_ACTION = 'workflow.draft_saved';
/** Two draft saves by one person on one workflow this close together belong to one editing session. */
export const AUDIT_SESSION_GAP_MINUTES = 10;

/** Target types the audit log records, for its filter (SPEC §3 and the modules that call recordAudit). */
export const AUDIT_TARGET_TYPES = [
  'run',
  'workflow',
  'trigger',
  'task',
  'event',
  'alert',
  'api_token',
  'user',
  'secret',
  'connection',
  'tenant',
] as const;

/** Action families for the audit log's filter: each matches every action starting with it. */
export const AUDIT_ACTION_FAMILIES = [
  'run.',
  'runs.',
  'workflow.',
  'trigger.',
  'task.',
  'alert.',
  'member.',
  'token.',
  'secret.',
  'connection.',
  'tenant.',
  'user.',
] as const;

/** Where the page of an audit entry's target is, when it has one. */
export function auditTargetHref(entry: {
  targetType: string;
  targetId: string | null;
  data: Record<string, unknown>;
}): string | null {
  const id = entry.targetId;
  const workflowKey = typeof entry.data.workflowKey === 'string' ? entry.data.workflowKey : null;
  switch (entry.targetType) {
    case 'run':
      return id ? `/runs/${encodeURIComponent(id)}` : null;
    case 'workflow':
      return id ? `/workflows/${encodeURIComponent(id)}` : null;
    case 'trigger':
      return workflowKey ? `/workflows/${encodeURIComponent(workflowKey)}/triggers` : null;
    case 'task':
      return id ? `/inbox/${encodeURIComponent(id)}` : null;
    case 'event':
      return '/events';
    case 'alert':
      return '/settings/alerts';
    case 'api_token':
      return '/settings/tokens';
    case 'user':
      return '/settings/members';
    case 'secret':
      return '/settings/secrets';
    case 'connection':
      return '/settings/connections';
    case 'tenant':
      return '/settings/tenant';
    default:
      return null;
  }
}
