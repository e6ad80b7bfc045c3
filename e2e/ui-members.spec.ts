import { expect, test } from '@playwright/test';
import { api, signIn } from './support';
import { addMemberThroughUi, createTokenThroughUi, unique } from './ui-support';

test('an admin adds an editor, who signs in with the one-time password', async ({ page, browser }) => {
  await signIn(page);
  const email = `${unique('editor')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, name: 'Edith Editor', role: 'editor' });
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row.getByLabel('Role of Edith Editor')).toHaveText('editor');

  const editorContext = await browser.newContext();
  const editor = await editorContext.newPage();
  await signIn(editor, email, password);
  await editor.getByRole('button', { name: 'User menu' }).click();
  await expect(editor.getByRole('menu')).toContainText(email);
  await expect(editor.getByRole('menu')).toContainText('editor');
  await editorContext.close();
});

test('a viewer sees Settings read-only, and a viewer token is refused by the API', async ({
  page,
  browser,
  request,
}) => {
  await signIn(page);
  const email = `${unique('viewer')}@e2e.test`;
  const password = await addMemberThroughUi(page, { email, role: 'viewer' });

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, email, password);
  await viewer.goto('/settings/members');
  await expect(viewer.getByRole('cell', { name: email })).toBeVisible();
  await expect(viewer.getByRole('button', { name: 'Add member' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /^Remove / })).toHaveCount(0);
  await expect(viewer.getByRole('combobox')).toHaveCount(0);
  for (const path of ['/settings/tokens', '/settings/secrets', '/settings/audit']) {
    await viewer.goto(path);
    await expect(viewer.getByRole('heading', { name: 'You need the admin role for this' })).toBeVisible();
  }
  await viewerContext.close();

  // The same refusal holds below the UI: a viewer-role token may not read secrets.
  const token = await createTokenThroughUi(page, unique('viewer-token'), 'viewer');
  const refused = await api(request, token).get('/secrets');
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe('FORBIDDEN');
});

test('an admin changes a role and removes a member after confirming', async ({ page }) => {
  await signIn(page);
  const email = `${unique('temp')}@e2e.test`;
  await addMemberThroughUi(page, { email, name: 'Tess Temporary', role: 'viewer' });
  await page.getByLabel('Role of Tess Temporary').click();
  await page.getByRole('option', { name: 'operator', exact: true }).click();
  await expect(page.getByLabel('Role of Tess Temporary')).toHaveText('operator');
  await page.reload();
  await expect(page.getByLabel('Role of Tess Temporary')).toHaveText('operator');

  await page.getByRole('button', { name: 'Remove Tess Temporary' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove Tess Temporary?' });
  await confirm.getByRole('button', { name: 'Remove member' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('cell', { name: email })).toHaveCount(0);
});
