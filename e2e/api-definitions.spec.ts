import { expect, test } from '@playwright/test';
import { api } from './support';

test.describe('expressions inside the running web server', () => {
  test('evaluate against sample data through the bounded worker pool', async ({ request }) => {
    const response = await api(request).post('/expressions/evaluate', {
      source: '$sum(payload.lines.(qty * price))',
      sample: {
        payload: {
          lines: [
            { qty: 2, price: 5 },
            { qty: 1, price: 3 },
          ],
        },
      },
    });
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ value: 13 });
  });

  test('a backtracking regex is stopped by the time limit and the server keeps answering', async ({ request }) => {
    const hostile = await api(request).post('/expressions/evaluate', {
      source: '$match(payload.s, /(a+)+$/)',
      sample: { payload: { s: `${'a'.repeat(40)}!` } },
    });
    expect(hostile.status()).toBe(422);
    const body = await hostile.json();
    expect(body.error.code).toBe('EXPRESSION');
    expect(body.error.message).toContain('time limit');
    const health = await request.get('/api/v1/health');
    expect(health.status()).toBe(200);
  });
});
