import 'server-only';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '@/server/db/database';
import type { TAuthContext } from '@/server/auth/context';
import { assertAllowed } from '@/server/auth/assert-allowed';
import { AppError } from '@/model/errors';
import { isInlineImage } from '@/model/artifacts/artifact-ref';
import { isValidContentType } from '@/server/artifacts/artifact-stager';

/** Read per query while streaming: a 25 MiB file is a hundred small reads, never one 25 MiB string. */
export const DOWNLOAD_CHUNK_BYTES = 256 * 1024;

export const ZArtifactId = z.string().max(64);
export const ZDownloadArtifactQuery = z.object({
  /** `inline` shows a raster image in the page (the run page's preview); any other type is always an attachment. */
  disposition: z.enum(['attachment', 'inline']).default('attachment'),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `Content-Disposition` for a stored name (RFC 6266 with RFC 5987's `filename*`): an ASCII
 * fallback in which quotes, backslashes and anything outside printable ASCII become `_`, and
 * the exact name percent-encoded. Nothing of the name can end the header or start another.
 */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * The download of one artifact (SPEC §11 `GET /artifacts/{id}`): authorized like reading its
 * run (another tenant's id is not found), streamed from the database in slices, with its type,
 * an attachment disposition (inline only for raster images, when asked), nosniff and length.
 */
export async function downloadArtifact({
  db,
  ctx,
  input,
}: {
  db: Db;
  ctx: TAuthContext;
  input: { id: string; disposition: 'attachment' | 'inline' };
}): Promise<Response> {
  assertAllowed(ctx, 'run.read');
  const notFound = new AppError('NOT_FOUND', `No artifact with id ${input.id}.`);
  if (!UUID.test(input.id)) throw notFound;
  const row = await db
    .selectFrom('run_artifacts')
    .select(['id', 'name', 'content_type', 'size'])
    .where('tenant_id', '=', ctx.tenantId)
    .where('id', '=', input.id)
    .executeTakeFirst();
  if (!row) throw notFound;
  const size = Number(row.size);
  // Checked when stored; checked again, since a header is built from it.
  const contentType = isValidContentType(row.content_type) ? row.content_type : 'application/octet-stream';
  const inline = input.disposition === 'inline' && isInlineImage(contentType);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (offset >= size) {
          controller.close();
          return;
        }
        const slice = await sql<{ chunk: Buffer }>`
          SELECT substring(data FROM ${offset + 1}::int FOR ${DOWNLOAD_CHUNK_BYTES}::int) AS chunk
            FROM run_artifacts WHERE id = ${row.id} AND tenant_id = ${ctx.tenantId}`.execute(db);
        const chunk = slice.rows[0]?.chunk;
        if (!chunk || chunk.length === 0) {
          // Deleted with its run while being read: the client sees a cut-short download, not a wrong file.
          controller.error(new Error(`artifact ${row.id} was deleted during the download`));
          return;
        }
        offset += chunk.length;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': contentType,
      'content-length': String(size),
      'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', row.name),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-cache',
    },
  });
}
