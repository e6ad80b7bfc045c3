import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import { actorLabel, type TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import type { Db } from '@/server/db/database';
import { AppError } from '@/model/errors';
import { findTrigger } from '@/server/triggers/trigger-record';
import { PEER_ADDRESS_HEADER } from '@/server/security/client-address';

/** How long a "listen for a test event" window stays open. */
export const LISTEN_WINDOW_MS = 120_000;
/** How long a captured request is kept after its window closed, for the person to read it. */
const KEEP_AFTER_WINDOW = sql.raw(`interval '10 minutes'`);
/** The most of a body a capture keeps (the webhook itself accepts 256 KiB). */
export const MAX_LISTENED_BODY_CHARS = 16_384;

/** Header names whose values are credentials or signatures: shown masked. */
const SENSITIVE_HEADER = /(authorization|cookie|token|secret|signature|api[-_]?key|password|session)/i;

export const ZListenedRequest = z.object({
  method: z.string(),
  headers: z.array(z.object({ name: z.string(), value: z.string(), masked: z.boolean() })),
  body: z.string(),
  bodyTruncated: z.boolean(),
  bytes: z.number().int(),
  signature: z.object({
    /** false when the trigger has no signing secret: any request is accepted. */
    checked: z.boolean(),
    ok: z.boolean().nullable(),
    message: z.string(),
  }),
});
export type TListenedRequest = z.infer<typeof ZListenedRequest>;

export const ZWebhookListen = z.object({
  status: z.enum(['idle', 'listening', 'captured', 'expired']),
  startedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  capturedAt: z.string().nullable(),
  request: ZListenedRequest.nullable(),
});
export type TWebhookListen = z.infer<typeof ZWebhookListen>;

/**
 * Deletes listens whose window (and the time to read a capture after it) has passed, in every
 * tenant: on each start or read of a listen, and from the worker's operations timer, so a
 * captured request never outlives its window by much more than ten minutes.
 */
export async function sweepWebhookListens({ db }: { db: Db }): Promise<void> {
  await db
    .deleteFrom('webhook_listens')
    .where('expires_at', '<', sql<Date>`now() - ${KEEP_AFTER_WINDOW}`)
    .execute();
}

async function findWebhook(db: Db, ctx: TAuthContext, id: string) {
  assertAllowed(ctx, 'workflow.write');
  const trigger = await findTrigger({ db, tenantId: ctx.tenantId, id });
  if (trigger.type !== 'webhook')
    throw new AppError('CONFLICT', `Only a webhook can listen for a test event; this is a ${trigger.type} trigger.`);
  return trigger;
}

/**
 * Opens (or reopens) a two-minute window in which the next request this webhook receives is
 * kept for its editor to read: headers with credentials masked, the body (bounded) and what the
 * signature check said. The request is handled as usual (a caller's real delivery still starts
 * its run); listening only shows it.
 */
export async function startWebhookListen({
  db,
  ctx,
  id,
}: {
  db: Db;
  ctx: TAuthContext;
  id: string;
}): Promise<TWebhookListen> {
  const trigger = await findWebhook(db, ctx, id);
  await sweepWebhookListens({ db });
  await db
    .insertInto('webhook_listens')
    .values({
      trigger_id: trigger.id,
      tenant_id: ctx.tenantId,
      started_by: actorLabel(ctx.actor),
      expires_at: sql<Date>`now() + ${sql.raw(`interval '${LISTEN_WINDOW_MS} milliseconds'`)}`,
    })
    .onConflict((oc) =>
      oc.column('trigger_id').doUpdateSet({
        started_by: actorLabel(ctx.actor),
        started_at: sql<Date>`now()`,
        expires_at: sql<Date>`now() + ${sql.raw(`interval '${LISTEN_WINDOW_MS} milliseconds'`)}`,
        captured_at: null,
        request: null,
      }),
    )
    .execute();
  return readWebhookListen({ db, ctx, id });
}

/** Where a webhook's listen window stands, with the captured request once one arrived. */
export async function readWebhookListen({
  db,
  ctx,
  id,
}: {
  db: Db;
  ctx: TAuthContext;
  id: string;
}): Promise<TWebhookListen> {
  const trigger = await findWebhook(db, ctx, id);
  await sweepWebhookListens({ db });
  const row = await db
    .selectFrom('webhook_listens')
    .select(['started_at', 'expires_at', 'captured_at', 'request', sql<boolean>`expires_at <= now()`.as('over')])
    .where('tenant_id', '=', ctx.tenantId)
    .where('trigger_id', '=', trigger.id)
    .executeTakeFirst();
  if (!row) return { status: 'idle', startedAt: null, expiresAt: null, capturedAt: null, request: null };
  return {
    status: row.captured_at ? 'captured' : row.over ? 'expired' : 'listening',
    startedAt: row.started_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    capturedAt: row.captured_at?.toISOString() ?? null,
    request: row.request === null ? null : ZListenedRequest.parse(row.request),
  };
}

/**
 * Called by the webhook for every request it reads: keeps this one when someone is listening
 * and nothing was captured yet (one statement; nothing happens when nobody listens).
 */
export async function captureListenedRequest({
  db,
  triggerId,
  request,
  rawBody,
  signature,
}: {
  db: Db;
  triggerId: string;
  request: Request;
  rawBody: Buffer;
  signature: TListenedRequest['signature'];
}): Promise<void> {
  // jsonb cannot store NUL (the decoder already replaced malformed UTF-8): shown as U+FFFD.
  const text = new TextDecoder().decode(rawBody).replaceAll('\u0000', '\uFFFD');
  const captured: TListenedRequest = {
    method: request.method,
    // The peer address is the web process's own note on the request, not something the sender sent.
    headers: [...request.headers.entries()]
      .filter(([name]) => name !== PEER_ADDRESS_HEADER)
      .map(([name, value]) =>
        SENSITIVE_HEADER.test(name)
          ? { name, value: `•••• (${value.length} characters)`, masked: true }
          : { name, value: value.slice(0, 1000), masked: false },
      ),
    body: text.slice(0, MAX_LISTENED_BODY_CHARS),
    bodyTruncated: text.length > MAX_LISTENED_BODY_CHARS,
    bytes: rawBody.length,
    signature,
  };
  await db
    .updateTable('webhook_listens')
    .set({ request: JSON.stringify(captured), captured_at: sql<Date>`now()` })
    .where('trigger_id', '=', triggerId)
    .where('captured_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .execute();
}
