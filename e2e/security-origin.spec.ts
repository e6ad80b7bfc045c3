import { expect, test, type Page, type Request } from '@playwright/test';
import { api, E2E_BOOTSTRAP_TOKEN, signIn } from './support';
import { unique } from './ui-support';

// Issue #15, item 10: cookie-authenticated state changes must come from the app's own origin
// (NEXTAUTH_URL), whatever X-Forwarded-Host says; scripts with a Bearer token need no Origin.

async function secretNames(page: Page): Promise<string[]> {
  const listed = await api(page.request).get('/secrets');
  return ((await listed.json()).items as Array<{ name: string }>).map((secret) => secret.name);
}

test('the API refuses cookie writes from another origin, even with a matching X-Forwarded-Host, and writes with no origin at all', async ({
  page,
  baseURL,
}) => {
  await signIn(page);
  const forged = unique('forged-host');
  const spoofed = await page.request.post('/api/v1/secrets', {
    data: { name: forged, value: 'x-value' },
    headers: { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' },
  });
  expect(spoofed.status()).toBe(401);
  const anonymous = unique('no-origin');
  expect((await page.request.post('/api/v1/secrets', { data: { name: anonymous, value: 'x-value' } })).status()).toBe(
    401,
  );

  // A same-origin Referer stands in for a missing Origin; the page's own Origin is enough.
  const viaReferer = unique('via-referer');
  expect(
    (
      await page.request.post('/api/v1/secrets', {
        data: { name: viaReferer, value: 'x-value' },
        headers: { referer: `${baseURL}/settings/secrets` },
      })
    ).status(),
  ).toBe(201);
  const viaOrigin = unique('via-origin');
  expect(
    (
      await page.request.post('/api/v1/secrets', {
        data: { name: viaOrigin, value: 'x-value' },
        headers: { origin: new URL(baseURL!).origin },
      })
    ).status(),
  ).toBe(201);

  const names = await secretNames(page);
  expect(names).not.toContain(forged);
  expect(names).not.toContain(anonymous);
  expect(names).toEqual(expect.arrayContaining([viaReferer, viaOrigin]));
});

test('a Bearer token needs no Origin, and JSON routes refuse a text/plain body with 415', async ({ request }) => {
  const client = api(request);
  const name = unique('script-secret');
  expect((await client.post('/secrets', { name, value: 'from a script' })).status()).toBe(201);
  const plain = await request.post('/api/v1/secrets', {
    headers: { authorization: `Bearer ${E2E_BOOTSTRAP_TOKEN}`, 'content-type': 'text/plain' },
    data: JSON.stringify({ name: unique('plain'), value: 'x-value' }),
  });
  expect(plain.status()).toBe(415);
  expect((await plain.json()).error).toMatchObject({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: expect.stringContaining('application/json'),
  });
});

test('a server action replayed without Origin, or from another origin behind a forged X-Forwarded-Host, changes nothing', async ({
  page,
  baseURL,
}) => {
  await signIn(page);
  await page.goto('/settings/secrets');
  const original = unique('action-secret');
  await page.getByRole('button', { name: 'New secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'New secret' });
  await dialog.getByLabel('Name').fill(original);
  await dialog.getByLabel('Value').fill('value');
  const captured = page.waitForRequest(
    (request: Request) => request.method() === 'POST' && request.headers()['next-action'] !== undefined,
  );
  await dialog.getByRole('button', { name: 'Save secret' }).click();
  const action = await captured;
  await expect(dialog).toBeHidden();
  expect(await secretNames(page)).toContain(original);

  const headers = Object.fromEntries(
    Object.entries(await action.allHeaders()).filter(
      ([name]) => !['origin', 'referer', 'cookie', 'host', 'content-length'].includes(name) && !name.startsWith(':'),
    ),
  );
  const replay = async (name: string, extra: Record<string, string>) => {
    const response = await page.request.post(action.url(), {
      headers: { ...headers, ...extra },
      data: action.postData()!.replace(original, name),
    });
    return response.status();
  };
  const withoutOrigin = unique('replayed-no-origin');
  const forgedHost = unique('replayed-forged-host');
  expect(await replay(withoutOrigin, {})).toBe(403);
  expect(await replay(forgedHost, { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' })).toBe(403);
  // The same replay from our own origin goes through, so the refusals above are about origin.
  const sameOrigin = unique('replayed-same-origin');
  expect(await replay(sameOrigin, { origin: new URL(baseURL!).origin })).toBe(200);

  const names = await secretNames(page);
  expect(names).not.toContain(withoutOrigin);
  expect(names).not.toContain(forgedHost);
  expect(names).toContain(sameOrigin);
});
