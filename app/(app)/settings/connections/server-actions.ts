'use server';

import { z } from 'zod';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { deleteConnection } from '@/server/connections/delete-connection';
import { putConnection } from '@/server/connections/put-connection';
import { testConnection } from '@/server/connections/test-connection';
import { ZConnectionName, ZPutConnectionInput } from '@/model/connections/connection-config';

const revalidate = ['/settings/connections'];

/** Returns only whether the connection was new: its secret fields never travel back to the browser. */
export const putConnectionAction = defineServerAction(
  { permission: 'secret.manage', input: ZPutConnectionInput, revalidate },
  async ({ db, ctx, input }) => {
    const { created } = await putConnection({ db, ctx, input });
    return { created };
  },
);

export const deleteConnectionAction = defineServerAction(
  { permission: 'secret.manage', input: z.object({ name: ZConnectionName }), revalidate },
  ({ db, ctx, input }) => deleteConnection({ db, ctx, name: input.name }),
);

export const testConnectionAction = defineServerAction(
  { permission: 'secret.manage', input: z.object({ name: ZConnectionName }) },
  ({ db, ctx, input }) => testConnection({ db, ctx, name: input.name }),
);
