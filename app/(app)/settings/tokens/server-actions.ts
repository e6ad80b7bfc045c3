'use server';

import { defineServerAction } from '@/server/server-actions/define-server-action';
import { createApiToken, ZCreateApiToken } from '@/server/tokens/create-api-token';
import { revokeApiToken, ZRevokeApiToken } from '@/server/tokens/revoke-api-token';

const revalidate = ['/settings/tokens'];

/** Returns the clear token once; the list only ever shows its prefix. */
export const createApiTokenAction = defineServerAction(
  { permission: 'token.manage', input: ZCreateApiToken, revalidate },
  async ({ db, ctx, input }) => {
    const { token, record } = await createApiToken({ db, ctx, input });
    return { token, name: record.name };
  },
);

export const revokeApiTokenAction = defineServerAction(
  { permission: 'token.manage', input: ZRevokeApiToken, revalidate },
  ({ db, ctx, input }) => revokeApiToken({ db, ctx, input }),
);
