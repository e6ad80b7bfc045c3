import { z } from 'zod';

/** Membership and token roles, strongest first (SPEC §3). */
export const ROLES = ['admin', 'editor', 'operator', 'viewer'] as const;
export type TRole = (typeof ROLES)[number];
export const ZRole = z.enum(ROLES);

/** What a caller may do. Every server action and route handler names one of these. */
export const PERMISSIONS = [
  'tenant.read',
  'tenant.create',
  'member.manage',
  'token.manage',
  'secret.read',
  'secret.manage',
  'audit.read',
  'workflow.read',
  'workflow.write',
  'run.read',
  'run.start',
  'run.operate',
  'task.answer',
] as const;
export type TPermission = (typeof PERMISSIONS)[number];

const READ: TPermission[] = ['tenant.read', 'workflow.read', 'run.read'];

/**
 * Role → permissions, as SPEC §3 words them: editors design, publish and run (and see secret
 * names to reference them); operators run and steer runs and answer tasks. A role missing
 * here fails to compile.
 */
export const ROLE_PERMISSIONS = {
  admin: [...PERMISSIONS],
  editor: [...READ, 'workflow.write', 'run.start', 'secret.read'],
  operator: [...READ, 'run.start', 'run.operate', 'task.answer'],
  viewer: READ,
} as const satisfies Record<TRole, readonly TPermission[]>;

export function roleAllows(role: TRole, permission: TPermission): boolean {
  return (ROLE_PERMISSIONS[role] as readonly TPermission[]).includes(permission);
}

export const ROLE_DESCRIPTIONS = {
  admin: 'Everything, including members, API tokens and secrets',
  editor: 'Design, publish and run workflows',
  operator: 'Run workflows, steer runs and answer tasks',
  viewer: 'Read only',
} as const satisfies Record<TRole, string>;
