import { expect, test } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

test('a secret created in the UI never shows its value again, in the page or the API', async ({ page, request }) => {
  await signIn(page);
  const name = unique('erp-token');
  const value = unique('value-that-must-stay-hidden');
  await page.goto('/settings/secrets');
  await page.getByRole('button', { name: 'New secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'New secret' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Value').fill(value);
  await dialog.getByLabel('Description').fill('Token for the ERP');
  await dialog.getByRole('button', { name: 'Save secret' }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('Token for the ERP');
  expect(await page.content()).not.toContain(value);
  await page.reload();
  await expect(row).toBeVisible();
  expect(await page.content()).not.toContain(value);

  const listed = await api(request).get('/secrets');
  expect(listed.status()).toBe(200);
  const text = await listed.text();
  expect(text).toContain(name);
  expect(text).not.toContain(value);

  await page.goto('/settings/audit');
  await expect(page.getByRole('row').filter({ hasText: 'secret.created' }).first()).toBeVisible();
  expect(await page.content()).not.toContain(value);

  await page.goto('/settings/secrets');
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await page
    .getByRole('dialog', { name: `Delete secret "${name}"?` })
    .getByRole('button', { name: 'Delete secret' })
    .click();
  await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(0);
});
