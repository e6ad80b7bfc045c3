import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

function field(page: Page, path: string) {
  return page.locator(`[data-config-path="${path}"]`).first();
}

/** A draft with a problem (the HTTP call has no url) and a secret reference, imported through the API. */
async function importDraft(request: Parameters<typeof api>[0], key: string) {
  const client = api(request);
  const response = await client.post('/workflows/import', {
    key,
    name: 'Configure me',
    parameterSchema: {
      type: 'object',
      required: ['amount'],
      properties: {
        amount: { type: 'number' },
        customer: { type: 'object', properties: { email: { type: 'string' } } },
      },
    },
    env: { vars: { ERP_URL: 'https://erp.example.com' }, secrets: { ERP_TOKEN: 'erp-api-token' } },
    steps: [
      {
        id: 'fetch',
        type: 'action.call',
        name: 'Load invoice',
        config: {
          action: 'http.request',
          version: 1,
          input: { method: 'GET', headers: { Authorization: { $secret: 'ERP_TOKEN' } } },
          saveAs: 'vars.invoice',
        },
      },
      { id: 'size', type: 'state.set', name: 'Set size', config: { state: 'new' } },
    ],
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
}

test('configure a step: literal, expression with a syntax error at its position, field picker, try it, save', async ({
  page,
  request,
}) => {
  const key = `configure-${unique('c').slice(2)}`;
  await importDraft(request, key);
  await signIn(page);
  await page.goto(`/workflows/${key}/versions/1`);

  // The problem is listed and leads to its field.
  const problems = page.getByRole('list', { name: 'Problems' });
  await expect(problems).toContainText('fetch');
  await problems.getByRole('button').filter({ hasText: 'fetch' }).first().click();
  await expect(page.getByTestId('step-config-panel')).toContainText('Load invoice');
  await expect(field(page, 'config.input.url')).toContainText(/required/i);
  await expect(field(page, 'config.input.url').getByRole('textbox').first()).toBeFocused();
  // The secret reference shows its name, never a value.
  await expect(
    field(page, 'config.input.headers.Authorization').getByRole('radio', { name: 'Secret' }),
  ).toHaveAttribute('aria-checked', 'true');
  await expect(field(page, 'config.input.headers.Authorization')).toContainText('ERP_TOKEN');
  // A literal value.
  await field(page, 'config.input.url').getByRole('textbox').first().fill('https://erp.example.com/invoices');

  // An expression: a syntax error is shown with its position, then fixed with the field picker.
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Set size' }).click();
  const state = field(page, 'config.state');
  await expect(state.getByRole('textbox')).toHaveValue('new');
  await state.getByRole('radio', { name: 'Expression' }).click();
  const editor = state.getByRole('textbox').first();
  await expect(editor).toHaveText('"new"');
  await editor.fill('payload.amount > ');
  await expect(state.getByTestId('expression-syntax-error')).toContainText('Line 1, column');
  await expect(editor).toHaveAttribute('aria-invalid', 'true');
  await editor.fill('');
  await state.getByRole('button', { name: 'Insert field' }).click();
  await state.getByLabel('Search fields').fill('amount');
  // vars written by the step before are offered too.
  await state.getByLabel('Search fields').fill('');
  await expect(state.getByRole('list', { name: 'Fields' })).toContainText('vars.invoice.status');
  await state
    .getByRole('list', { name: 'Fields' })
    .getByRole('button', { name: /^payload\.amount/ })
    .click();
  await expect(editor).toHaveText('payload.amount');
  await editor.press('End');
  await editor.pressSequentially(" > 1000 ? 'big' : 'small'");
  await expect(state.getByTestId('expression-syntax-error')).toHaveCount(0);

  // Try it against sample data.
  await state.getByRole('button', { name: 'Try it' }).click();
  const sample = state.getByLabel('Sample data');
  const data = JSON.parse(await sample.inputValue()) as { payload: Record<string, unknown> };
  expect(data.payload).toMatchObject({ amount: 0, customer: { email: '' } });
  await sample.fill(JSON.stringify({ ...data, payload: { amount: 5000 } }));
  await state.getByRole('button', { name: 'Evaluate' }).click();
  await expect(state.getByTestId('try-result')).toContainText('"big"');
  await sample.fill('{ not json');
  await state.getByRole('button', { name: 'Evaluate' }).click();
  await expect(state.getByTestId('try-result')).toContainText('Sample data is not valid JSON');

  // Save; the reload shows what was saved and the url problem is gone.
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText(/^Saved \(revision/)).toBeVisible();
  await page.reload();
  await expect(page.getByRole('list', { name: 'Problems' })).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Set size' }).click();
  await expect(field(page, 'config.state').getByRole('textbox').first()).toHaveText(
    "payload.amount > 1000 ? 'big' : 'small'",
  );
  const saved = await (await api(request).get(`/workflows/${key}/versions/1`)).json();
  expect(saved.steps[1].config.state).toEqual({ $expr: "payload.amount > 1000 ? 'big' : 'small'" });
  expect(saved.steps[0].config.input).toMatchObject({
    url: 'https://erp.example.com/invoices',
    headers: { Authorization: { $secret: 'ERP_TOKEN' } },
  });
});

test('workflow panels: parameters with a live run-form preview, env vars, settings; published versions are read only', async ({
  page,
  request,
}) => {
  const key = `panels-${unique('p').slice(2)}`;
  await importDraft(request, key);
  await signIn(page);
  await page.goto(`/workflows/${key}/versions/1`);
  const panels = page.getByTestId('workflow-panels');
  const preview = page.getByTestId('run-form-preview');
  await expect(preview.getByLabel(/amount/i)).toBeVisible();
  await panels.getByRole('button', { name: 'Add field' }).click();
  await panels.getByLabel('Field 3 name').fill('invoiceId');
  await expect(preview.getByLabel(/invoice id/i)).toBeVisible();
  await panels.getByRole('button', { name: 'Add env var' }).click();
  await panels.getByLabel('Env vars name 2').fill('LIMIT');
  await panels.getByLabel('Value of LIMIT').fill('1000');
  // A name that is not allowed is held back with a reason; the row keeps its old name.
  await panels.getByLabel('Env vars name 2').fill('1BAD');
  await expect(panels.getByText(/Names use letters/)).toBeVisible();
  await panels.getByLabel('Env vars name 2').fill('LIMIT');
  await field(page, 'settings.retentionDays').getByRole('spinbutton').fill('90');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText(/^Saved \(revision/)).toBeVisible();
  const saved = await (await api(request).get(`/workflows/${key}/versions/1`)).json();
  expect(saved.parameterSchema.properties).toHaveProperty('invoiceId');
  expect(saved.env.vars).toEqual({ ERP_URL: 'https://erp.example.com', LIMIT: '1000' });
  expect(saved.settings.retentionDays).toBe(90);

  // Publish through the API: the version page becomes read only.
  const client = api(request);
  const fixed = { ...saved, steps: [{ id: 'size', type: 'state.set', config: { state: 'x' } }] };
  delete fixed.version;
  delete fixed.status;
  expect((await client.post(`/workflows/${key}/versions`, fixed)).status()).toBeLessThan(300);
  expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
  await page.goto(`/workflows/${key}/versions/1`);
  await expect(page.getByText('Published versions never change')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save draft' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add field' })).toHaveCount(0);
});
