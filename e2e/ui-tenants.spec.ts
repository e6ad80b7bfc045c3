import { expect, test } from '@playwright/test';
import { signIn } from './support';
import { unique } from './ui-support';

test('an admin creates a tenant, switches to it, and cannot demote the only admin there', async ({ page }) => {
  await signIn(page);
  const slug = unique('acme');
  const name = `Acme ${slug.slice(5)}`;
  const current = page.getByTestId('current-tenant');
  const before = (await current.textContent()) ?? '';

  await page.goto('/settings/tenants');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slug').fill(slug);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('status')).toContainText(`Created “${name}”`);
  await expect(page.getByRole('cell', { name: slug })).toBeVisible();

  await page.getByRole('button', { name: /^Tenant: / }).click();
  await page.getByRole('menuitem', { name: name }).click();
  await expect(current).toHaveText(name);

  // The new tenant is separate: only its creator is a member, as its sole admin.
  await page.goto('/settings/members');
  await expect(page.getByRole('row')).toHaveCount(2);
  await page.getByRole('combobox', { name: /^Role of / }).click();
  await page.getByRole('option', { name: 'viewer', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'last admin' })).toBeVisible();

  await page.getByRole('button', { name: /^Tenant: / }).click();
  await page.getByRole('menuitem', { name: before }).click();
  await expect(current).toHaveText(before);
});
