'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { reissueSessionCookie } from '@/server/auth/reissue-session-cookie';
import { changePassword, ZChangePassword } from '@/server/users/change-password';

// Any member may change their own password; changePassword itself refuses tokens. It ends
// every session of the person; this one is re-issued so the person stays signed in here.
export const changePasswordAction = defineServerAction(
  { permission: 'tenant.read', input: ZChangePassword },
  async ({ db, ctx, input }) => {
    const { sessionVersion } = await changePassword({ db, ctx, input });
    await reissueSessionCookie({ sessionVersion });
  },
);
