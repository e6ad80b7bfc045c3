import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZRole } from '@/model/roles';
import { ZAddMember } from '@/server/members/add-member';
import { ZMemberRecord } from '@/server/members/member-record';
import { ZCreateTenant } from '@/server/tenants/create-tenant';
import { ZCreateApiToken } from '@/server/tokens/create-api-token';
import { ZApiTokenRecord } from '@/server/tokens/list-api-tokens';

// SPEC §12: what a script needs to set a tenant up. The same server functions as Settings, so
// the same rules hold (a tenant keeps an admin, a token never outgrows its owner, audit entries).
const page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ZTenantRecord = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: ZRole,
  /** The tenant this request acts in (the token's, or the session's `Pipewright-Tenant`). */
  current: z.boolean(),
});
const ZNewToken = ZApiTokenRecord.extend({ token: z.string().describe('The value: shown here once, never again') });

export const listTenantsContract = defineContract({
  operationId: 'listTenants',
  method: 'GET',
  path: '/tenants',
  summary: "The tenants the caller belongs to (for a token: its owner's), with the caller's role in each",
  tag: 'Tenants',
  permission: 'tenant.read',
  response: page(ZTenantRecord),
});

export const createTenantContract = defineContract({
  operationId: 'createTenant',
  method: 'POST',
  path: '/tenants',
  summary:
    'Create a tenant; the caller (a token: its owner) becomes its admin. With `token`, a first API token of the new ' +
    'tenant is created with it and its value returned once',
  tag: 'Tenants',
  permission: 'tenant.create',
  body: ZCreateTenant,
  response: z.object({ id: z.string(), slug: z.string(), name: z.string(), token: ZNewToken.optional() }),
  successStatus: 201,
  errors: ['CONFLICT'],
});

/** Decoded once more: an HTTP client's path encoding sends `%40` for `@`, whether or not the router decodes it. */
function decodePathEmail(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch (error) {
    if (error instanceof URIError) return value; // not an escape after all: the lookup says "not a member"
    throw error;
  }
}
const ZEmailParams = z.object({ email: z.string().min(1).max(254).transform(decodePathEmail) });

export const listMembersContract = defineContract({
  operationId: 'listMembers',
  method: 'GET',
  path: '/members',
  summary: "The tenant's members by name",
  tag: 'Members',
  permission: 'tenant.read',
  response: page(ZMemberRecord),
});

export const addMemberContract = defineContract({
  operationId: 'addMember',
  method: 'POST',
  path: '/members',
  summary: 'Add a person by email; someone new gets an account whose one-time password is returned once',
  tag: 'Members',
  permission: 'member.manage',
  body: ZAddMember,
  response: ZMemberRecord.extend({ initialPassword: z.string().nullable() }),
  successStatus: 201,
  errors: ['CONFLICT'],
});

export const changeMemberContract = defineContract({
  operationId: 'changeMember',
  method: 'PATCH',
  path: '/members/{email}',
  summary: "Change a member's role; 409 when it would leave the tenant without an admin",
  tag: 'Members',
  permission: 'member.manage',
  params: ZEmailParams,
  body: z.object({ role: ZRole }).strict(),
  response: ZMemberRecord,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const removeMemberContract = defineContract({
  operationId: 'removeMember',
  method: 'DELETE',
  path: '/members/{email}',
  summary: 'Remove a member, revoking the tokens they made here; 409 for the last admin',
  tag: 'Members',
  permission: 'member.manage',
  params: ZEmailParams,
  successStatus: 204,
  errors: ['NOT_FOUND', 'CONFLICT'],
});

export const listTokensContract = defineContract({
  operationId: 'listTokens',
  method: 'GET',
  path: '/tokens',
  summary: "The tenant's API tokens, newest first; never their values",
  tag: 'Tokens',
  permission: 'token.manage',
  response: page(ZApiTokenRecord),
});

export const createTokenContract = defineContract({
  operationId: 'createToken',
  method: 'POST',
  path: '/tokens',
  summary:
    'Create an API token owned by the caller (a token: its owner), never stronger than ' +
    "its owner's role; the value is returned once",
  tag: 'Tokens',
  permission: 'token.manage',
  body: ZCreateApiToken,
  response: ZNewToken,
  successStatus: 201,
});

export const revokeTokenContract = defineContract({
  operationId: 'revokeToken',
  method: 'DELETE',
  path: '/tokens/{id}',
  summary: 'Revoke an API token; it stops working at once on every web server',
  tag: 'Tokens',
  permission: 'token.manage',
  params: z.object({ id: z.string().uuid('not a token id') }),
  successStatus: 204,
  errors: ['NOT_FOUND'],
});
