'use server';

import { defineAction } from '@/server/actions/define-action';
import { changePassword, ZChangePassword } from '@/server/users/change-password';

// Any member may change their own password; changePassword itself refuses tokens.
export const changePasswordAction = defineAction({ permission: 'tenant.read', input: ZChangePassword }, ({ db, ctx, input }) => changePassword({ db, ctx, input }));
