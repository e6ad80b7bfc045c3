import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { runsInThread } from './runs-in-thread';

const where = (source: string) => (runsInThread(jsonata(source).ast()) ? 'thread' : 'worker');

describe('runsInThread', () => {
  it('keeps paths, arithmetic, conditions, constructors and bounded built-ins on the calling thread', () => {
    for (const source of [
      'payload.i + 1',
      '$sum(payload.lines.(qty * price))',
      '{ "total": $sum(payload.lines.price), "name": $uppercase(payload.customer.name), "big": vars.n > 2 ? "yes" : "no" }',
      'payload.items[price > 2].name',
      '($x := payload.a; $x * 2)',
      '$string(payload) & "!"',
      '$contains(payload.s, "needle")',
      '[1..10]',
      'payload ~> $string',
    ]) {
      expect(where(source), source).toBe('thread');
    }
  });

  it('sends anything that could run native code unchecked to the worker pool', () => {
    for (const source of [
      '$match(payload.s, /(a+)+$/)',
      '$contains(payload.s, /x/)',
      '$replace(payload.s, "a", "b")',
      '$split(payload.s, ",")',
      '$map(payload.a, function($v) { $v * 2 })',
      '($f := $uppercase; $f(payload.s))',
      '($string := $replace; $string(payload.s, "a", payload.big))',
      'payload ~> $substring(1)',
      'payload ~> |$|{"a": 1}|',
      '$sort(payload.a)',
      '$eval("1")',
    ]) {
      expect(where(source), source).toBe('worker');
    }
  });
});
