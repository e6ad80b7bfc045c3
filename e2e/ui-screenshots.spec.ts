import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support';
import { addMemberThroughUi, unique } from './ui-support';

// Not an assertion of pixels: pictures of every main screen, light and dark, wide and narrow,
// for a person to look at (test-results/screenshots/*.png).
const VARIANTS = [
  { scheme: 'light', width: 1280, height: 800 },
  { scheme: 'dark', width: 1280, height: 800 },
  { scheme: 'light', width: 390, height: 844 },
  { scheme: 'dark', width: 390, height: 844 },
] as const;

async function shoot(page: Page, name: string, variant: (typeof VARIANTS)[number]): Promise<void> {
  await page.screenshot({
    path: `test-results/screenshots/${name}-${variant.scheme}-${variant.width}.png`,
    fullPage: true,
  });
}

test('screenshots of the main screens', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await signIn(page);
  // A tenant of its own, so the pictures do not depend on what other tests left behind.
  const slug = unique('shots');
  await page.goto('/settings/tenants');
  await page.getByLabel('Name').fill('Northwind Logistics');
  await page.getByLabel('Slug').fill(slug);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByRole('button', { name: `Switch to Northwind Logistics` }).click();
  await expect(page.getByTestId('current-tenant')).toHaveText('Northwind Logistics');
  await addMemberThroughUi(page, { email: `${unique('ada')}@e2e.test`, name: 'Ada Lovelace', role: 'editor' });
  await addMemberThroughUi(page, {
    email: `${unique('maximilian.alexander.von.hohenzollern-sigmaringen.the-third')}@a-very-long-subdomain.example-company.co.uk`,
    name: 'Maximilian Alexander Christoph Friedrich von Hohenzollern-Sigmaringen the Third',
    role: 'viewer',
  });
  await page.goto('/settings/secrets');
  await page.getByRole('button', { name: 'New secret' }).click();
  await page.getByLabel('Name').fill('erp-api-token');
  await page.getByLabel('Value').fill('hidden');
  await page.getByLabel('Description').fill('Bearer token for the ERP invoices endpoint, rotated monthly by finance');
  await page.getByRole('button', { name: 'Save secret' }).click();
  await expect(page.getByRole('dialog')).toBeHidden();

  for (const variant of VARIANTS) {
    await page.emulateMedia({ colorScheme: variant.scheme });
    await page.setViewportSize({ width: variant.width, height: variant.height });
    for (const [name, path] of [
      ['workflows', '/workflows'],
      ['members', '/settings/members'],
      ['secrets', '/settings/secrets'],
      ['audit', '/settings/audit'],
      ['tenants', '/settings/tenants'],
      ['account', '/settings/account'],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await shoot(page, name, variant);
    }
    await page.goto('/settings/tokens');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill(`deploy-${variant.scheme}-${variant.width}`);
    await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByTestId('shown-once-value')).toBeVisible();
    await shoot(page, 'tokens-created', variant);
    await page.getByRole('button', { name: 'Done' }).click();
    await shoot(page, 'tokens', variant);
    await page.getByRole('button', { name: 'User menu' }).click();
    await shoot(page, 'user-menu', variant);
    await page.keyboard.press('Escape');

    const context = await browser.newContext({
      colorScheme: variant.scheme,
      viewport: { width: variant.width, height: variant.height },
    });
    const anonymous = await context.newPage();
    await anonymous.goto('/sign-in');
    // An unknown address: failed sign-ins for the admin's email are rate limited.
    await anonymous.getByLabel('Email').fill('someone@example.com');
    await anonymous.getByLabel('Password').fill('wrong-password');
    await anonymous.getByRole('button', { name: 'Sign in' }).click();
    await expect(anonymous.getByText('Wrong email or password.')).toBeVisible();
    await shoot(anonymous, 'sign-in-error', variant);
    await context.close();
  }
});
