import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

async function switchTenant(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: /^Tenant: / }).click();
  await page.getByRole('menuitem', { name }).click();
  await expect(page.getByTestId('current-tenant')).toHaveText(name);
}

function row(page: Page, key: string) {
  return page.getByTestId(`workflow-row-${key}`);
}

test('an empty tenant is offered to create or import; creating opens the new workflow', async ({ page }) => {
  await signIn(page);
  const home = (await page.getByTestId('current-tenant').textContent()) ?? '';
  const slug = unique('empty');
  const name = `Empty ${slug.slice(6)}`;
  await page.goto('/settings/tenants');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slug').fill(slug);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('cell', { name: slug })).toBeVisible();
  await switchTenant(page, name);
  try {
    await page.goto('/workflows');
    await expect(page.getByRole('heading', { name: 'No workflows yet' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Import' })).toBeVisible();
    await page.getByRole('button', { name: 'New workflow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New workflow' });
    await dialog.getByLabel('Name').fill('Invoice approval (EU)');
    // The key follows the name until edited.
    await expect(dialog.getByLabel('Key')).toHaveValue('invoice-approval-eu');
    await dialog.getByLabel('Tags').fill('finance, erp');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    await expect(page).toHaveURL(/\/workflows\/invoice-approval-eu$/);
    await page.goto('/workflows');
    await expect(row(page, 'invoice-approval-eu')).toContainText('Invoice approval (EU)');
    await expect(row(page, 'invoice-approval-eu')).toContainText('unpublished');
    await expect(row(page, 'invoice-approval-eu')).toContainText('never');

    // A key that is taken is refused in the dialog, which stays open with the reason.
    await page.getByRole('button', { name: 'New workflow' }).click();
    await dialog.getByLabel('Name').fill('Invoice approval (EU)');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    await expect(dialog.getByText('already taken')).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  } finally {
    await switchTenant(page, home);
  }
});

test('search, filter, import, duplicate, archive and delete on the Workflows page; stats from real runs', async ({
  page,
  request,
}) => {
  const client = api(request);
  const stamp = unique('wl').slice(3);
  const echoKey = `echo-${stamp}`;
  // A published workflow with one finished run, through the API as a script would.
  expect(
    (await client.post('/workflows', { key: echoKey, name: `Echo ${stamp}`, tags: [`ops-${stamp}`] })).status(),
  ).toBe(201);
  expect(
    (
      await client.post(`/workflows/${echoKey}/versions`, {
        key: echoKey,
        name: `Echo ${stamp}`,
        steps: [{ id: 'say', type: 'action.call', config: { action: 'core.echo', version: 1, input: { hi: 1 } } }],
      })
    ).status(),
  ).toBeLessThan(300);
  expect((await client.post(`/workflows/${echoKey}/versions/1/publish`)).status()).toBe(200);
  expect((await client.post(`/workflows/${echoKey}/runs`, { input: {}, mode: 'sync', waitMs: 20000 })).status()).toBe(
    200,
  );

  await signIn(page);
  await page.goto('/workflows');
  await expect(row(page, echoKey)).toContainText('v1');
  await expect(row(page, echoKey)).toContainText('succeeded');
  await expect(row(page, echoKey)).toContainText('1 run · 100% ok');

  // Import a document with a human task, pasted as JSON; a broken paste is refused first.
  const importKey = `imported-${stamp}`;
  await page.getByRole('button', { name: 'Import' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a workflow' });
  await dialog.getByLabel('Or paste it').fill('{ "key": ');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByText(/This is not valid JSON/)).toBeVisible();
  await dialog.getByLabel('Or paste it').fill(JSON.stringify({ key: 'Bad Key', name: 'x' }));
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByRole('alert')).toContainText('key');
  const document = {
    key: importKey,
    name: `Imported approvals ${stamp}`,
    steps: [
      {
        id: 'ask',
        type: 'human.task',
        config: {
          title: 'Approve?',
          form: { type: 'object', properties: {} },
          outcomes: ['approve', 'reject'],
          assignee: { role: 'editor' },
        },
      },
    ],
  };
  await dialog.getByLabel('Or paste it').fill(JSON.stringify(document));
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${importKey}$`));

  await page.goto('/workflows');
  await expect(row(page, importKey)).toContainText('draft');
  // Search matches name, key and tags.
  await page.getByLabel('Search workflows').fill(`ops-${stamp}`);
  await expect(page).toHaveURL(/q=ops-/);
  await expect(row(page, echoKey)).toBeVisible();
  await expect(row(page, importKey)).toBeHidden();
  await page.getByLabel('Search workflows').fill(stamp);
  await expect(row(page, importKey)).toBeVisible();
  // Filter by what the workflow uses.
  await page.getByRole('combobox', { name: 'Uses' }).click();
  await page.getByRole('option', { name: /^Human task/ }).click();
  await expect(row(page, echoKey)).toBeHidden();
  await expect(row(page, importKey)).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/workflows$/);

  // Duplicate, then archive and find it by status, then delete it after confirming.
  await row(page, importKey)
    .getByRole('button', { name: /^Actions for/ })
    .click();
  await page.getByRole('menuitem', { name: 'Duplicate…' }).click();
  const duplicate = page.getByRole('dialog', { name: /^Duplicate/ });
  await expect(duplicate.getByLabel('Key')).toHaveValue(`${importKey}-copy`);
  await duplicate.getByRole('button', { name: 'Duplicate' }).click();
  await expect(row(page, `${importKey}-copy`)).toContainText('(copy)');

  await row(page, `${importKey}-copy`)
    .getByRole('button', { name: /^Actions for/ })
    .click();
  await page.getByRole('menuitem', { name: 'Archive' }).click();
  await expect(row(page, `${importKey}-copy`)).toContainText('archived');
  await page.getByRole('combobox', { name: 'Status' }).click();
  await page.getByRole('option', { name: 'Archived' }).click();
  await expect(row(page, `${importKey}-copy`)).toBeVisible();
  await expect(row(page, importKey)).toBeHidden();

  await row(page, `${importKey}-copy`)
    .getByRole('button', { name: /^Actions for/ })
    .click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const confirm = page.getByRole('dialog', { name: /^Delete/ });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(row(page, `${importKey}-copy`)).toBeVisible();
  await row(page, `${importKey}-copy`)
    .getByRole('button', { name: /^Actions for/ })
    .click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  await confirm.getByRole('button', { name: 'Delete workflow' }).click();
  await expect(row(page, `${importKey}-copy`)).toBeHidden();
  await expect(page.getByRole('heading', { name: 'No workflows match' })).toBeVisible();
  expect((await client.get(`/workflows/${importKey}-copy`)).status()).toBe(404);
});

test('version history: who and when, a readable diff between two versions, JSON export', async ({ page, request }) => {
  const client = api(request);
  const key = `history-${unique('h').slice(2)}`;
  expect((await client.post('/workflows', { key, name: 'History' })).status()).toBe(201);
  const v1 = {
    key,
    name: 'History',
    steps: [
      { id: 'mark', type: 'state.set', config: { state: 'received' } },
      { id: 'old', type: 'state.set', config: { state: 'gone soon' } },
    ],
  };
  expect((await client.post(`/workflows/${key}/versions`, v1)).status()).toBeLessThan(300);
  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  const v2 = {
    key,
    name: 'History',
    settings: { retentionDays: 90 },
    steps: [
      { id: 'mark', type: 'state.set', config: { state: 'accepted' } },
      { id: 'new-step', type: 'state.set', name: 'Brand new', config: { state: 'x' } },
    ],
  };
  expect((await client.post(`/workflows/${key}/versions`, v2)).status()).toBeLessThan(300);

  await signIn(page);
  await page.goto(`/workflows/${key}/versions`);
  await expect(page.getByTestId('version-row-1')).toContainText('published');
  await expect(page.getByTestId('version-row-1')).toContainText('token');
  await expect(page.getByTestId('version-row-2')).toContainText('draft');
  const diff = page.getByTestId('version-diff');
  await expect(diff.getByRole('heading', { name: /Steps added/ })).toBeVisible();
  await expect(diff).toContainText('Brand new');
  await expect(diff.getByRole('heading', { name: /Steps removed/ })).toBeVisible();
  await expect(diff).toContainText('old');
  await expect(diff).toContainText('config.state');
  await expect(diff.getByLabel('before').first()).toBeVisible();
  await expect(diff).toContainText('"received"');
  await expect(diff).toContainText('"accepted"');
  await expect(diff).toContainText('settings.retentionDays');

  // The same version on both sides says so; the URL keeps the choice.
  await page.getByRole('combobox', { name: 'Older version' }).click();
  await page.getByRole('option', { name: 'v2 (draft)' }).click();
  await expect(page).toHaveURL(/from=2&to=2/);
  await expect(page.getByText('Choose two different versions to compare.')).toBeVisible();

  const exported = page.getByRole('link', { name: 'Export v1 as JSON' });
  const href = (await exported.getAttribute('href')) ?? '';
  const body = await (await page.request.get(href)).json();
  expect(body).toMatchObject({ key, version: 1, status: 'published', steps: [{ id: 'mark' }, { id: 'old' }] });
});
