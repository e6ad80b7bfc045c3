import { expect, test, type Browser, type BrowserContext } from '@playwright/test';
import { signIn } from './support';
import { addMemberThroughUi, signOutThroughUi, unique } from './ui-support';

// Issue #15, item 2: a session must end when its person changes their password elsewhere or
// signs out; a copied cookie must not outlive the sign-out it was copied before.

async function signedInContext(browser: Browser, email: string, password: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await signIn(await context.newPage(), email, password);
  return context;
}

/** What a cookie-authenticated API read answers in this context (200 while the session lives). */
async function apiStatus(context: BrowserContext): Promise<number> {
  return (await context.request.get('/api/v1/workflows')).status();
}

test('changing the password ends the person’s other sessions and keeps the one that changed it', async ({
  page,
  browser,
}) => {
  await signIn(page);
  const email = `${unique('pw-change')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'viewer' });
  const first = await signedInContext(browser, email, password);
  const second = await signedInContext(browser, email, password);
  expect(await apiStatus(second)).toBe(200);

  const changer = await first.newPage();
  await changer.goto('/settings/account');
  await changer.getByLabel('Current password').fill(password);
  await changer.getByLabel('New password').fill('a brand new password 42');
  await changer.getByRole('button', { name: 'Change password' }).click();
  await expect(changer.getByRole('status')).toHaveText('Password changed.');

  // The other device is out, for pages and for the API alike.
  expect(await apiStatus(second)).toBe(401);
  const other = await second.newPage();
  await other.goto('/workflows');
  await expect(other).toHaveURL(/\/sign-in\?callbackUrl=%2Fworkflows$/);

  // The session that made the change goes on working, with a re-issued cookie.
  expect(await apiStatus(first)).toBe(200);
  await changer.goto('/workflows');
  await expect(changer.getByRole('heading', { name: 'Workflows', level: 1 })).toBeVisible();
  await first.close();
  await second.close();
});

test('after signing out, a copy of the old session cookie no longer works', async ({ page, browser }) => {
  await signIn(page);
  const email = `${unique('sign-out')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'viewer' });
  const context = await signedInContext(browser, email, password);
  const copied = await context.cookies();
  expect(copied.some((cookie) => cookie.name.endsWith('next-auth.session-token'))).toBe(true);

  const member = context.pages()[0]!;
  await signOutThroughUi(member);

  const thief = await browser.newContext();
  await thief.addCookies(copied);
  expect(await apiStatus(thief)).toBe(401);
  const stolen = await thief.newPage();
  await stolen.goto('/overview');
  await expect(stolen).toHaveURL(/\/sign-in\?callbackUrl=%2Foverview$/);
  await thief.close();
  await context.close();
});
