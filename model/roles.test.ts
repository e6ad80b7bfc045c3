import { describe, expect, it } from 'vitest';
import { assertAllowed } from '@/server/auth/assert-allowed';
import type { TAuthContext } from '@/server/auth/context';
import { PERMISSIONS, ROLES, roleAllows, type TPermission, type TRole } from '@/model/roles';
import { AppError } from '@/model/errors';

// SPEC §3, spelled out cell by cell so that any change to roles.ts that strays from the spec
// fails here. admin: everything. editor: design, publish, run (and see secret *names*, which
// a design references in env.secrets). operator: run, pause/resume/cancel/retry, answer
// tasks. viewer: read only. Members, tokens, secret values and the audit log: admins only.
const Y = true;
const N = false;
const SPEC_MATRIX: Record<TPermission, Record<TRole, boolean>> = {
  //                  admin      editor     operator   viewer
  'tenant.read': { admin: Y, editor: Y, operator: Y, viewer: Y },
  'workflow.read': { admin: Y, editor: Y, operator: Y, viewer: Y },
  'run.read': { admin: Y, editor: Y, operator: Y, viewer: Y },
  'workflow.write': { admin: Y, editor: Y, operator: N, viewer: N },
  'run.start': { admin: Y, editor: Y, operator: Y, viewer: N },
  'run.operate': { admin: Y, editor: N, operator: Y, viewer: N },
  'task.answer': { admin: Y, editor: N, operator: Y, viewer: N },
  'secret.read': { admin: Y, editor: Y, operator: N, viewer: N },
  'secret.manage': { admin: Y, editor: N, operator: N, viewer: N },
  'member.manage': { admin: Y, editor: N, operator: N, viewer: N },
  'token.manage': { admin: Y, editor: N, operator: N, viewer: N },
  'audit.read': { admin: Y, editor: N, operator: N, viewer: N },
  'tenant.create': { admin: Y, editor: N, operator: N, viewer: N },
};

describe('the role → permission matrix (SPEC §3)', () => {
  it('covers exactly the roles and permissions the app defines', () => {
    expect(Object.keys(SPEC_MATRIX).sort()).toEqual([...PERMISSIONS].sort());
    for (const row of Object.values(SPEC_MATRIX)) expect(Object.keys(row).sort()).toEqual([...ROLES].sort());
  });

  const cells = ROLES.flatMap((role) =>
    PERMISSIONS.map((permission) => [role, permission, SPEC_MATRIX[permission][role]] as const),
  );
  it.each(cells)('%s may %s: %s', (role, permission, allowed) => {
    expect(roleAllows(role, permission)).toBe(allowed);
  });

  it('gives admin every permission and viewer only reads', () => {
    expect(PERMISSIONS.filter((p) => !roleAllows('admin', p))).toEqual([]);
    expect(PERMISSIONS.filter((p) => roleAllows('viewer', p)).every((p) => p.endsWith('.read'))).toBe(true);
  });
});

describe('assertAllowed', () => {
  const ctxOf = (role: TRole): TAuthContext => ({
    tenantId: 't',
    tenantSlug: 't',
    tenantName: 'T',
    role,
    actor: { type: 'system', name: 'test' },
  });

  it('passes the context through when allowed and throws FORBIDDEN naming the role when not', () => {
    expect(assertAllowed(ctxOf('operator'), 'run.operate').role).toBe('operator');
    let caught: unknown;
    try {
      assertAllowed(ctxOf('viewer'), 'secret.manage');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('FORBIDDEN');
    expect((caught as AppError).message).toContain('viewer');
  });
});
