import { expect, test } from '@playwright/test';
import { api, signIn } from './support';
import { createTokenThroughUi, unique } from './ui-support';

test('an API token created in the UI works until it is revoked in the UI', async ({ page, request }) => {
  await signIn(page);
  const name = unique('ci-script');
  const token = await createTokenThroughUi(page, name, 'editor');

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(token.slice(0, 8));
  await expect(row).toContainText('active');
  // Shown once: the page no longer holds the clear token.
  expect(await page.content()).not.toContain(token);

  expect((await api(request, token).get('/secrets')).status()).toBe(200);

  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await page
    .getByRole('dialog', { name: `Revoke "${name}"?` })
    .getByRole('button', { name: 'Revoke token' })
    .click();
  await expect(row).toContainText('revoked');
  await expect(row.getByRole('button', { name: `Revoke ${name}` })).toHaveCount(0);

  const refused = await api(request, token).get('/secrets');
  expect(refused.status()).toBe(401);
});

test('a token needs a name, and the form says so next to the field', async ({ page }) => {
  await signIn(page);
  await page.goto('/settings/tokens');
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create API token' });
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByText('give the token a name')).toBeVisible();
  await expect(dialog.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
});
