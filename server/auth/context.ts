import 'server-only';
import type { TRole } from '@/model/roles';

export type TUserActor = { type: 'user'; userId: string; email: string; name: string };
export type TTokenActor = { type: 'token'; tokenId: string; name: string; userId: string | null };
export type TSystemActor = { type: 'system'; name: string };
export type TActor = TUserActor | TTokenActor | TSystemActor;

/** Who is acting, in which tenant, with which role. Every server function takes one. */
export type TAuthContext = {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  role: TRole;
  /** For API tokens: the owner's current role. Only what both roles allow is allowed. */
  roleCap?: TRole;
  actor: TActor;
};

export function actorLabel(actor: TActor): string {
  switch (actor.type) {
    case 'user':
      return actor.email;
    case 'token':
      return `token ${actor.name}`;
    case 'system':
      return actor.name;
  }
}

export function actorId(actor: TActor): string | null {
  switch (actor.type) {
    case 'user':
      return actor.userId;
    case 'token':
      return actor.tokenId;
    case 'system':
      return null;
  }
}
