import { PipewrightConnectionError } from './api-error';

export type TServerSentEvent = { id: string | null; event: string; data: string };

/**
 * The events of a text/event-stream body, one by one (the WHATWG parsing rules: fields up to the
 * first colon, a blank line ends an event, comments and `retry:` ignored). Ends with the body.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<TServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: TServerSentEvent = { id: null, event: 'message', data: '' };
  let hasData = false;
  let ended = false;
  const reader = body.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        ended = true;
        throw new PipewrightConnectionError(`The event stream broke off: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (chunk.done) {
        ended = true;
        return;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
      let newline = buffer.search(/\r\n|\r|\n/);
      // A CR that ends the chunk may be the first half of a CRLF: wait for the next chunk to tell.
      while (newline >= 0 && !(buffer[newline] === '\r' && newline === buffer.length - 1)) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        newline = buffer.search(/\r\n|\r|\n/);
        if (line === '') {
          if (hasData) yield { ...event, data: event.data.replace(/\n$/, '') };
          event = { id: event.id, event: 'message', data: '' };
          hasData = false;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          event.data += `${value}\n`;
          hasData = true;
        } else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
    }
  } finally {
    // A consumer that stops early (a `break`) closes the connection instead of leaving it open.
    if (!ended) await reader.cancel();
    reader.releaseLock();
  }
}
