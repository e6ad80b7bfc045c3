import { afterAll, describe, expect, it } from 'vitest';
import { closeExpressionPool } from './close-expression-pool';
import type { TExpressionEnvelope } from './expression-envelope';
import { resolveConfigValue } from './resolve-config-value';

const envelope: TExpressionEnvelope = {
  payload: { base: 'https://erp.example', text: '{"$expr":"1+1"}', looksLikeExpr: { $expr: '1+1' } },
  vars: { id: 42 },
  env: {},
  meta: {},
  error: null,
};

afterAll(closeExpressionPool);

describe('resolveConfigValue', () => {
  it('evaluates {$expr} values and walks objects and arrays, leaving literals alone', async () => {
    const value = {
      url: { $expr: 'payload.base & "/orders/" & vars.id' },
      method: 'POST',
      retries: 3,
      tags: ['a', { $expr: '"b"' }],
      nested: { flag: true, none: null },
    };
    await expect(resolveConfigValue({ value, envelope, path: 'config.input' })).resolves.toEqual({
      url: 'https://erp.example/orders/42',
      method: 'POST',
      retries: 3,
      tags: ['a', 'b'],
      nested: { flag: true, none: null },
    });
  });

  it('treats strings that look like expressions as literals', async () => {
    await expect(resolveConfigValue({ value: '{"$expr":"1+1"}', envelope })).resolves.toBe('{"$expr":"1+1"}');
  });

  it('does not evaluate again what an expression returned', async () => {
    await expect(resolveConfigValue({ value: { $expr: 'payload.looksLikeExpr' }, envelope })).resolves.toEqual({
      $expr: '1+1',
    });
    await expect(resolveConfigValue({ value: { $expr: '{"$expr": "2+2"}' }, envelope })).resolves.toEqual({
      $expr: '2+2',
    });
  });

  it('treats objects with more than the $expr key as data to walk', async () => {
    await expect(resolveConfigValue({ value: { $expr: 'vars.id', note: 'x' }, envelope })).resolves.toEqual({
      $expr: 'vars.id',
      note: 'x',
    });
  });

  it('resolves {$secret} only when a resolver is given', async () => {
    const value = { headers: { authorization: { $secret: 'ERP_TOKEN' } } };
    await expect(
      resolveConfigValue({ value, envelope, path: 'config.input', resolveSecret: async (name) => `token-of-${name}` }),
    ).resolves.toEqual({
      headers: { authorization: 'token-of-ERP_TOKEN' },
    });
    await expect(
      resolveConfigValue({ value, envelope, stepId: 'assign', path: 'config.assign' }),
    ).rejects.toMatchObject({
      code: 'EXPRESSION',
      message:
        'Step "assign": config.assign.headers.authorization: a { "$secret" } reference is only allowed in action.call inputs',
      details: { path: 'config.assign.headers.authorization', reason: 'SECRET_NOT_ALLOWED' },
    });
  });

  it('names the step and the config path when an expression fails', async () => {
    const value = { url: { $expr: '$pad("x", 300000)' } };
    await expect(resolveConfigValue({ value, envelope, stepId: 'call', path: 'config.input' })).rejects.toMatchObject({
      code: 'EXPRESSION',
      retryable: false,
      limit: 'maxOutputBytes',
      message: 'Step "call": config.input.url: expression exceeded the output size limit of 262144 bytes',
    });
  });
});
