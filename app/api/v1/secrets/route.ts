import { apiRoute } from '@/server/api/route';
import { listSecretsContract, putSecretContract } from '@/server/api/contracts/secrets';
import { listSecrets } from '@/server/secrets/list-secrets';
import { putSecret } from '@/server/secrets/put-secret';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(listSecretsContract, async ({ db, ctx }) => ({
  items: await listSecrets({ db, ctx }),
  nextCursor: null,
}));

export const POST = apiRoute(
  putSecretContract,
  async ({ db, ctx, body }) => (await putSecret({ db, ctx, input: body })).record,
);
