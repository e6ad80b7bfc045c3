import 'server-only';
import type { TAuthContext } from '@/server/auth/context';
import { roleAllows, type TPermission } from '@/model/roles';
import { AppError } from '@/model/errors';

const PERMISSION_WORDS: Record<TPermission, string> = {
  'tenant.read': 'see this tenant',
  'tenant.create': 'create tenants',
  'member.manage': 'manage members',
  'token.manage': 'manage API tokens',
  'secret.read': 'see secrets',
  'secret.manage': 'change secrets',
  'audit.read': 'read the audit log',
  'workflow.read': 'see workflows',
  'workflow.write': 'change workflows',
  'run.read': 'see runs',
  'run.start': 'start runs',
  'run.operate': 'steer runs',
  'task.answer': 'answer tasks',
};

/** Throws FORBIDDEN unless the context's role grants the permission. */
export function assertAllowed(ctx: TAuthContext, permission: TPermission): TAuthContext {
  if (!roleAllows(ctx.role, permission)) {
    throw new AppError('FORBIDDEN', `Your role (${ctx.role}) does not allow you to ${PERMISSION_WORDS[permission]}.`);
  }
  if (ctx.roleCap && !roleAllows(ctx.roleCap, permission)) {
    throw new AppError(
      'FORBIDDEN',
      `This token's owner is now ${ctx.roleCap}, which does not allow you to ${PERMISSION_WORDS[permission]}.`,
    );
  }
  return ctx;
}
