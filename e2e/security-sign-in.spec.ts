import { expect, test, type APIRequestContext } from '@playwright/test';
import { E2E_ADMIN, signIn } from './support';
import { unique } from './ui-support';

// Issue #15, items 8, 9 and 11: sign-in throttling, where people land after signing in, and
// what a signed-out request for a page gets.

/** One credentials sign-in through next-auth's own endpoint, as a script would try it. */
async function attemptSignIn(
  request: APIRequestContext,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const { csrfToken } = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const response = await request.post('/api/auth/callback/credentials', {
    form: { email, password, csrfToken, json: 'true' },
    headers: { origin: new URL(test.info().project.use.baseURL!).origin, ...headers },
    maxRedirects: 0,
  });
  const location = response.headers().location ?? '';
  const body = location ? '' : await response.text();
  return decodeURIComponent(location || body);
}

test('rotating X-Forwarded-For does not buy more guesses: the app is not behind a trusted proxy', async ({
  request,
}) => {
  const email = `${unique('nobody')}@e2e.test`;
  const outcomes: string[] = [];
  for (let i = 0; i < 8; i++)
    outcomes.push(
      await attemptSignIn(request, email, `guess ${i}`, {
        'x-forwarded-for': `198.51.100.${i + 1}`,
        'x-real-ip': `198.51.100.${i + 1}`,
      }),
    );
  // Every address the client claims is ignored, so the attempts are one (account, address)
  // pair and the backoff applies to them all.
  expect(outcomes.filter((outcome) => outcome.includes('Too many failed sign-ins')).length).toBeGreaterThan(0);
});

test('a callbackUrl that browsers would read as another host lands on the Overview instead', async ({ page }) => {
  for (const callback of ['/%09/127.0.0.2:8999/tab', '/%0A/127.0.0.2:8999/nl', '/%5C127.0.0.2:8999/bs']) {
    await page.context().clearCookies();
    await page.goto(`/sign-in?callbackUrl=${callback}`);
    await page.getByLabel('Email').fill(E2E_ADMIN.email);
    await page.getByLabel('Password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page, callback).toHaveURL(/^http:\/\/localhost:\d+\/overview$/);
  }
});

test('a signed-in visit to /sign-in redirects only to same-origin paths, and odd callbacks are not a server error', async ({
  page,
}) => {
  await signIn(page);
  const cases: Array<[string, string]> = [
    ['/%09/127.0.0.2:8999/tab', '/overview'],
    ['/%0A/127.0.0.2:8999/tab', '/overview'],
    ['%0A', '/overview'],
    ['/%E3%80%82/', '/%E3%80%82/'],
    ['https://evil.example/x', '/overview'],
    ['%2Fruns%3Fstatus%3DFAILED%23top', '/runs?status=FAILED#top'],
  ];
  const base = new URL(page.url()).origin;
  for (const [callback, expected] of cases) {
    const response = await page.request.get(`/sign-in?callbackUrl=${callback}`, { maxRedirects: 0 });
    expect(response.status(), callback).toBeGreaterThanOrEqual(300);
    expect(response.status(), callback).toBeLessThan(400);
    const target = new URL(response.headers().location ?? '', base);
    expect(target.origin, callback).toBe(base);
    expect(`${target.pathname}${target.search}${target.hash}`, callback).toBe(expected);
  }
});

test('a page asked for without a session is a redirect before anything streams', async ({ request, baseURL }) => {
  for (const path of ['/overview', '/workflows?status=archived', '/settings/tokens']) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(307);
    // Next.js writes a same-origin redirect as a relative Location.
    const target = new URL(response.headers().location ?? '', baseURL);
    expect(target.href, path).toBe(`${baseURL}/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  }
  // The sign-in page and the API answer for themselves.
  expect((await request.get('/sign-in', { maxRedirects: 0 })).status()).toBe(200);
  expect((await request.get('/api/v1/workflows', { maxRedirects: 0 })).status()).toBe(401);
});
