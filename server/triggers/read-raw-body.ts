import 'server-only';
import { AppError } from '@/model/errors';

/**
 * The request body as the exact bytes received (a signature is over these, not over a
 * re-serialised JSON), abandoned as soon as it passes `limit`: a chunked upload has no
 * Content-Length to refuse it by.
 */
export async function readRawBody(request: Request, limit: number): Promise<Buffer> {
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`);
  if (Number(request.headers.get('content-length') ?? 0) > limit) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}
