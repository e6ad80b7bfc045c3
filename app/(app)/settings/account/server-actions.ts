'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { reissueSessionCookie } from '@/server/auth/reissue-session-cookie';
import { changePassword, ZChangePassword } from '@/server/users/change-password';
import { clearDelegation, setDelegation, ZSetDelegationForm } from '@/server/tasks/task-delegation';
import { z } from 'zod';

// Any member may change their own password; changePassword itself refuses tokens. It ends
// every session of the person; this one is re-issued so the person stays signed in here.
export const changePasswordAction = defineServerAction(
  { permission: 'tenant.read', input: ZChangePassword },
  async ({ db, ctx, input }) => {
    const { sessionVersion } = await changePassword({ db, ctx, input });
    await reissueSessionCookie({ sessionVersion });
  },
);

/** Delegates the tasks assigned to me by name to a colleague for a date range (SPEC §10). */
export const setDelegationAction = defineServerAction(
  { permission: 'tenant.read', input: ZSetDelegationForm, revalidate: ['/settings/account', '/inbox'] },
  ({ db, ctx, input }) => setDelegation({ db, ctx, input }),
);

/** Ends my delegation. */
export const clearDelegationAction = defineServerAction(
  { permission: 'tenant.read', input: z.object({}), revalidate: ['/settings/account', '/inbox'] },
  ({ db, ctx }) => clearDelegation({ db, ctx }),
);
