import { expect, test } from '@playwright/test';
import { api, E2E_ADMIN, signIn } from './support';
import { signOutThroughUi } from './ui-support';

test('the admin signs in to the Overview, sees the Workflows page as the API knows it, and signs out', async ({
  page,
  request,
}) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('link', { name: 'Workflows', exact: true }).click();
  await expect(page).toHaveURL(/\/workflows$/);
  await expect(page).toHaveTitle('Workflows · Pipewright');
  await expect(page.getByRole('heading', { name: 'Workflows', level: 1 })).toBeVisible();
  // Other specs may have created workflows in this tenant already: the page shows exactly
  // what the API lists, and an empty state only when there is nothing.
  const listed = (await (await api(request).get('/workflows?limit=200')).json()).items as Array<{ key: string }>;
  if (listed.length === 0) await expect(page.getByRole('heading', { name: 'No workflows yet' })).toBeVisible();
  else
    for (const workflow of listed) await expect(page.getByRole('row').filter({ hasText: workflow.key })).toHaveCount(1);
  await expect(page.getByRole('link', { name: 'Workflows', exact: true })).toHaveAttribute('aria-current', 'page');

  await page.getByRole('button', { name: 'User menu' }).click();
  await expect(page.getByRole('menu')).toContainText(E2E_ADMIN.email);
  await expect(page.getByRole('menu')).toContainText('admin');
  await page.keyboard.press('Escape');

  await signOutThroughUi(page);
  await page.goto('/workflows');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fworkflows$/);
});

test('a wrong password shows an inline error and keeps the person on the sign-in page', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(E2E_ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toHaveText(
    'Wrong email or password.',
  );
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
});

test('signing in from a deep link returns to it', async ({ page }) => {
  await page.goto('/settings/secrets');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings%2Fsecrets$/);
  await page.getByLabel('Email').fill(E2E_ADMIN.email);
  await page.getByLabel('Password').fill(E2E_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/settings\/secrets$/);
  await expect(page.getByRole('heading', { name: 'Secrets', level: 1 })).toBeVisible();
});

test('/ leads to the Overview and unknown pages say they do not exist', async ({ page }) => {
  await signIn(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/overview$/);
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { name: 'This page does not exist' })).toBeVisible();
});
