import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { api, E2E_LOG_FILE, signIn } from './support';

test.describe('the JSON API frame', () => {
  test('health reports the database and a live worker without auth', async ({ request }) => {
    const response = await request.get('/api/v1/health');
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ ok: true, db: true, queue: true });
  });

  test('the OpenAPI document lists the routes with their schemas', async ({ request }) => {
    const doc = await (await request.get('/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/secrets', '/secrets/{name}']));
    expect(doc.paths['/secrets'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'value']),
    );
  });

  test('refuses calls without a valid token with the SPEC error body', async ({ request }) => {
    const none = await request.get('/api/v1/secrets', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(none.status()).toBe(401);
    expect((await none.json()).error.code).toBe('UNAUTHENTICATED');
    const wrong = await api(request, 'pw_not_a_real_token_at_all_000000').get('/secrets');
    expect(wrong.status()).toBe(401);
  });

  test('validates input and names the field', async ({ request }) => {
    const response = await api(request).post('/secrets', { name: 'bad name!', value: '' });
    expect(response.status()).toBe(422);
    const body = await response.json();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'value']);
  });
});

test.describe('secrets through the API', () => {
  const value = `s3cr3t-${Date.now()}-do-not-leak`;

  test('are write-only: created, listed by name, replaced and deleted, never shown', async ({ request, page }) => {
    const client = api(request);
    const created = await client.post('/secrets', { name: 'erp-api-token', value, description: 'ERP' });
    expect(created.status()).toBe(201);
    expect(JSON.stringify(await created.json())).not.toContain(value);

    const list = await client.get('/secrets');
    const listText = await list.text();
    expect(listText).toContain('erp-api-token');
    expect(listText).not.toContain(value);

    const replaced = await client.post('/secrets', { name: 'erp-api-token', value: `${value}-2` });
    expect(replaced.status()).toBe(201);
    expect((await replaced.json()).description).toBe('ERP');

    // The signed-in admin's pages never carry the value either.
    await signIn(page);
    await page.goto('/settings/secrets');
    await expect(page.getByText('erp-api-token')).toBeVisible();
    expect(await page.content()).not.toContain(value);

    expect((await client.delete('/secrets/erp-api-token')).status()).toBe(204);
    expect((await client.delete('/secrets/erp-api-token')).status()).toBe(404);

    // Nothing the web server or worker printed during the run holds the value.
    expect(readFileSync(E2E_LOG_FILE, 'utf8')).not.toContain(value);
  });

  test('the session cookie works for same-origin calls and not for cross-site writes', async ({ page }) => {
    await signIn(page);
    const sameOrigin = await page.request.get('/api/v1/secrets');
    expect(sameOrigin.status()).toBe(200);
    const crossSite = await page.request.post('/api/v1/secrets', {
      data: { name: 'csrf-attempt', value: 'x' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status()).toBe(401);
    const names = ((await (await page.request.get('/api/v1/secrets')).json()).items as { name: string }[]).map(
      (s) => s.name,
    );
    expect(names).not.toContain('csrf-attempt');
  });
});
