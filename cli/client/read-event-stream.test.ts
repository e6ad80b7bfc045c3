import { describe, expect, it } from 'vitest';
import { apiBase } from './pipewright-client';
import { readEventStream } from './read-event-stream';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(chunks: string[]) {
  const out = [];
  for await (const event of readEventStream(streamOf(chunks))) out.push(event);
  return out;
}

describe('readEventStream', () => {
  it('reads events split anywhere across chunks, with CRLF, comments, retry and multi-line data', async () => {
    const text =
      'retry: 3000\n\n: heartbeat\n\nid: 1\nevent: run.queued\ndata: {"seq":1}\n\n' +
      'id: 2\r\nevent: log\r\ndata: a\r\ndata: b\r\n\r\n';
    const whole = await all([text]);
    expect(whole).toEqual([
      { id: '1', event: 'run.queued', data: '{"seq":1}' },
      { id: '2', event: 'log', data: 'a\nb' },
    ]);
    const split = await all(text.split(''));
    expect(split).toEqual(whole);
  });

  it('drops an event the stream ended in the middle of', async () => {
    expect(await all(['id: 1\ndata: {"seq":1}\n\nid: 2\ndata: {"se'])).toEqual([
      { id: '1', event: 'message', data: '{"seq":1}' },
    ]);
  });
});

describe('apiBase', () => {
  it('takes what people type and finds /api/v1', () => {
    expect(apiBase('localhost:3000')).toBe('http://localhost:3000/api/v1');
    expect(apiBase('https://pw.example.com/')).toBe('https://pw.example.com/api/v1');
    expect(apiBase('https://pw.example.com/api/v1/')).toBe('https://pw.example.com/api/v1');
    expect(apiBase('https://example.com/pipewright')).toBe('https://example.com/pipewright/api/v1');
    expect(() => apiBase('ftp://example.com')).toThrow(/not an http\(s\) URL/);
  });
});
