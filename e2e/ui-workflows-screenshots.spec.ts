import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

// Pictures of the Workflows list, version history and the configuration panels, for a person
// to look at (test-results/screenshots/*.png); not pixel assertions.
const VARIANTS = [
  { scheme: 'light', width: 1280, height: 900 },
  { scheme: 'dark', width: 1280, height: 900 },
  { scheme: 'light', width: 390, height: 844 },
] as const;

async function shoot(page: Page, name: string, variant: (typeof VARIANTS)[number]): Promise<void> {
  await page.screenshot({
    path: `test-results/screenshots/${name}-${variant.scheme}-${variant.width}.png`,
    fullPage: true,
  });
}

test('screenshots of the workflows list, version history and configuration panels', async ({ page, request }) => {
  test.setTimeout(240_000);
  const client = api(request);
  const key = `shots-${unique('s').slice(2)}`;
  const longName =
    'Quarterly reconciliation of supplier invoices across every European subsidiary with manager sign-off';
  expect(
    (
      await client.post('/workflows', { key, name: longName, tags: ['finance', 'erp', 'quarterly-close', 'europe'] })
    ).status(),
  ).toBe(201);
  const v1 = {
    key,
    name: longName,
    parameterSchema: {
      type: 'object',
      required: ['invoiceId', 'amount'],
      properties: {
        invoiceId: { type: 'string' },
        amount: { type: 'number' },
        currency: { type: 'string', enum: ['EUR', 'USD'] },
      },
    },
    env: { vars: { ERP_URL: 'https://erp.example.com' }, secrets: { ERP_TOKEN: 'erp-api-token' } },
    steps: [
      {
        id: 'fetch',
        type: 'action.call',
        name: 'Load the invoice from the ERP',
        config: {
          action: 'http.request',
          version: 1,
          input: {
            method: 'GET',
            url: { $expr: "env.ERP_URL & '/invoices/' & payload.invoiceId" },
            headers: { Authorization: { $secret: 'ERP_TOKEN' } },
          },
          saveAs: 'vars.invoice',
        },
        retry: {
          maxAttempts: 3,
          initialDelayMs: 1000,
          backoffCoefficient: 2,
          maxDelayMs: 60000,
          jitter: true,
          nonRetryableCodes: [],
        },
      },
      {
        id: 'big',
        type: 'control.if',
        name: 'Big invoice?',
        config: {
          condition: { $expr: 'payload.amount > 1000' },
          then: [
            {
              id: 'approve',
              type: 'human.task',
              name: 'Manager approval',
              config: {
                title: { $expr: "'Approve ' & payload.invoiceId" },
                form: {
                  type: 'object',
                  required: ['costCentre'],
                  properties: { costCentre: { type: 'string', title: 'Cost centre' }, comment: { type: 'string' } },
                },
                outcomes: ['approve', 'reject'],
                assignee: { role: 'editor' },
                saveAs: 'vars.approval',
              },
            },
          ],
          else: [],
        },
      },
    ],
  };
  expect((await client.post(`/workflows/${key}/versions`, v1)).status()).toBeLessThan(300);
  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  const v2 = {
    ...v1,
    settings: { retentionDays: 90, redact: ['/payload/card'] },
    steps: [
      { ...v1.steps[0], config: { ...v1.steps[0]!.config, input: { method: 'GET' } } },
      v1.steps[1],
      { id: 'done', type: 'state.set', name: 'Done', config: { state: { $expr: 'vars.approval.outcome' } } },
    ],
  };
  expect((await client.post(`/workflows/${key}/versions`, v2)).status()).toBeLessThan(300);

  await signIn(page);
  for (const variant of VARIANTS) {
    await page.emulateMedia({ colorScheme: variant.scheme });
    await page.setViewportSize({ width: variant.width, height: variant.height });
    await page.goto('/workflows');
    await expect(page.getByTestId(`workflow-row-${key}`)).toBeVisible();
    await shoot(page, 'workflows-list', variant);
    await page.getByLabel('Search workflows').fill('nothing-is-called-this');
    await expect(page.getByRole('heading', { name: 'No workflows match' })).toBeVisible();
    await shoot(page, 'workflows-list-no-match', variant);
    await page.goto('/workflows');
    await page.getByRole('button', { name: 'New workflow' }).click();
    await shoot(page, 'workflows-create-dialog', variant);
    await page.keyboard.press('Escape');

    await page.goto(`/workflows/${key}/versions`);
    await expect(page.getByTestId('version-diff')).toBeVisible();
    await shoot(page, 'workflow-versions', variant);

    await page.goto(`/workflows/${key}/versions/2`);
    await expect(page.getByTestId('workflow-panels')).toBeVisible();
    await shoot(page, 'workflow-panels', variant);
    await page.getByRole('list', { name: 'Problems' }).getByRole('button').first().click();
    await expect(page.getByTestId('step-config-panel')).toBeVisible();
    await shoot(page, 'step-config-problem', variant);
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Done' }).click();
    const state = page.locator('[data-config-path="config.state"]');
    await state.getByRole('textbox').first().fill('vars.approval.');
    await state.getByRole('button', { name: 'Insert field' }).click();
    await shoot(page, 'step-config-expression', variant);
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Manager approval' }).click();
    await expect(page.getByTestId('step-config-panel')).toContainText('Manager approval');
    await shoot(page, 'step-config-human-task', variant);
  }
});
