import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

const SHOTS = process.env.DESIGNER_SHOTS_DIR ?? 'test-results/screenshots';

function field(page: Page, path: string) {
  return page.locator(`[data-config-path="${path}"]`).first();
}

/** Full-page screenshots at 1440 and 390 px wide, each checked for horizontal scrolling. */
async function shootBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/authoring-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

const DEFINITION = {
  settings: { defaultStepTimeoutMs: 20000, defaultRetry: { maxAttempts: 3, initialDelayMs: 500 } },
  steps: [
    {
      id: 'total',
      type: 'code.js',
      name: 'Total the order',
      config: {
        source:
          'console.log("lines", input.payload.lines.length);\nconsole.warn("big order");\n' +
          'return input.payload.lines.reduce((a, b) => a + b, 0);',
        saveAs: 'vars.total',
      },
    },
    { id: 'trace', type: 'log', config: { level: 'debug', message: 'tracing' } },
    { id: 'oops', type: 'log', config: { level: 'error', message: { $template: 'Total was {{ vars.total }}' } } },
  ],
  output: { $template: 'total {{ vars.total }}' },
};

test('code.js and log steps write log events the run page filters by level', async ({ page, request }) => {
  const client = api(request);
  const key = `authoring-${unique('a').slice(2)}`;
  expect((await client.post('/workflows', { key, name: 'Script and logs' })).status()).toBe(201);
  expect(
    (await client.post(`/workflows/${key}/versions`, { key, name: 'Script and logs', ...DEFINITION })).status(),
  ).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
  const started = await client.post(`/workflows/${key}/runs`, { input: { lines: [1, 2, 3] } });
  const runId = (await started.json()).runId as string;
  await expect
    .poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status, { timeout: 30_000 })
    .toBe('SUCCEEDED');
  expect((await (await client.get(`/runs/${runId}`)).json()).output).toBe('total 6');

  await signIn(page);
  await page.goto(`/runs/${runId}`);
  const log = page.getByRole('list', { name: 'Event log' });
  await expect(log).toContainText('run.succeeded');
  await expect(log.locator('[data-log-level]')).toHaveCount(4);
  await page.getByLabel('Show').selectOption('warn');
  await expect(log.locator('[data-log-level]')).toHaveText(['warn', 'error'], { ignoreCase: true });
  await expect(log).toContainText('big order');
  await expect(log).toContainText('Total was 6');
  await expect(log).not.toContainText('run.succeeded');
  await expect(page.getByText('2 of')).toBeVisible();
  await shootBothWidths(page, 'run-log-warn');
  await page.getByLabel('Show').selectOption('debug');
  await expect(log.locator('[data-log-level]')).toHaveCount(4);
  await page.getByLabel('Show').selectOption('all');
  await expect(log).toContainText('run.succeeded');
});

test('the designer edits a code.js source, a template and the workflow defaults in generated forms', async ({
  page,
  request,
}) => {
  const client = api(request);
  const key = `authoring-form-${unique('f').slice(2)}`;
  const imported = await client.post('/workflows/import', { key, name: 'Forms', ...DEFINITION });
  expect(imported.status(), await imported.text()).toBeLessThan(300);
  await signIn(page);
  await page.goto(`/workflows/${key}/versions/1`);
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Total the order' }).click();
  // The source is in the JavaScript code editor (CodeMirror, a contenteditable textbox).
  const source = field(page, 'config.source').getByRole('textbox');
  await expect(source).toHaveText(/console\.warn\("big order"\)/);
  // Replacing several lines of a contenteditable at once leaves an empty last line behind: the
  // editor's own commands clear it (select all, Backspace), then the text goes in as a paste would.
  await source.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText('return input.payload.lines.length;');
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'oops' }).click();
  const message = field(page, 'config.message');
  await expect(message.getByRole('radio', { name: 'Template' })).toHaveAttribute('aria-checked', 'true');
  await expect(message.getByRole('textbox')).toHaveText('Total was {{ vars.total }}');
  await message.getByRole('textbox').fill('Count was {{ vars.total }}');
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Workflow' }).click();
  await expect(field(page, 'settings.defaultStepTimeoutMs').getByRole('spinbutton')).toHaveValue('20000');
  await field(page, 'settings.defaultStepTimeoutMs').getByRole('spinbutton').fill('15000');
  await shootBothWidths(page, 'designer-forms');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText(/^Saved \(revision/)).toBeVisible();
  const saved = await (await client.get(`/workflows/${key}/versions/1`)).json();
  expect(saved.steps[0].config.source).toBe('return input.payload.lines.length;');
  expect(saved.steps[2].config.message).toEqual({ $template: 'Count was {{ vars.total }}' });
  expect(saved.settings).toMatchObject({ defaultStepTimeoutMs: 15000, defaultRetry: { maxAttempts: 3 } });
});
