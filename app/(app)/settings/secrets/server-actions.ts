'use server';

import { z } from 'zod';
import { defineServerAction } from '@/server/server-actions/define-server-action';
import { deleteSecret } from '@/server/secrets/delete-secret';
import { putSecret, ZPutSecret } from '@/server/secrets/put-secret';
import { ZSecretName } from '@/server/secrets/secret-record';

const revalidate = ['/settings/secrets'];

/** Returns only whether the secret was new: the value never travels back to the browser. */
export const putSecretAction = defineServerAction(
  { permission: 'secret.manage', input: ZPutSecret, revalidate },
  async ({ db, ctx, input }) => {
    const { created } = await putSecret({ db, ctx, input });
    return { created };
  },
);

export const deleteSecretAction = defineServerAction(
  { permission: 'secret.manage', input: z.object({ name: ZSecretName }), revalidate },
  ({ db, ctx, input }) => deleteSecret({ db, ctx, name: input.name }),
);
