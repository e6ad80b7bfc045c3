import { expect, test } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

test('the audit log shows the newest 50 changes and loads older ones on demand', async ({ page, request }) => {
  // More than one page of entries, made through the API so they are audited as the token.
  const prefix = unique('audit-fill');
  for (let i = 0; i < 51; i += 1) {
    const response = await api(request).post('/secrets', { name: `${prefix}-${i}`, value: 'xxxx' });
    expect(response.status()).toBe(201);
  }
  await signIn(page);
  await page.goto('/settings/audit');
  const rows = page.getByRole('row');
  await expect(rows).toHaveCount(51); // the header and one page of 50
  await expect(rows.nth(1)).toContainText(`${prefix}-50`);
  await expect(rows.nth(1)).toContainText('token');

  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(rows).not.toHaveCount(51);
  expect(await rows.count()).toBeGreaterThan(51);
  await expect(page.getByRole('row').filter({ hasText: `${prefix}-0` })).toHaveCount(1);
});
