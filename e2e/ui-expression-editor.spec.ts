import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

// Issue #18 friction 3 and 4: the CodeMirror expression editor and typed data flow, as a person uses them.

const SHOTS = 'test-results/screenshots';
const field = (page: Page, path: string) => page.locator(`[data-config-path="${path}"]`).first();
const card = (page: Page, stepId: string) => page.locator(`[data-step-header="${stepId}"]`);

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/editor-${name}-${width}.png`, fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('the expression editor completes paths with their types, shows parse errors inline and warns about types; code.js shows syntax errors', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const key = `editor-${unique('e').slice(2)}`;
  const imported = await api(request).post('/workflows/import', {
    key,
    name: 'Typed flow',
    parameterSchema: { type: 'object', properties: { amount: { type: 'number' } } },
    steps: [
      {
        id: 'fetch',
        type: 'action.call',
        config: {
          action: 'http.request',
          version: 1,
          input: { method: 'GET', url: 'http://127.0.0.1:9/x' },
          saveAs: 'vars.invoice',
        },
      },
      { id: 'note', type: 'log', config: { level: 'info', message: 'hello' } },
      { id: 'compute', type: 'code.js', config: { source: 'return 1;' } },
    ],
  });
  expect(imported.status(), await imported.text()).toBeLessThan(300);
  await signIn(page);
  await page.goto(`/workflows/${key}`);

  await card(page, 'note').click();
  const message = field(page, 'config.message');
  await message.getByRole('radio', { name: 'Expression' }).click();
  // The editor is a CodeMirror textbox, named by the field's label for screen readers.
  const editor = page.getByRole('textbox', { name: 'Message' });
  await expect(editor).toHaveText('"hello"');
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('vars.inv');

  // Completion: what the step before saved, with its types from the action's output schema.
  const completions = page.getByRole('listbox');
  await expect(completions).toBeVisible();
  // Each option is the path and its type (the accessible name joins them).
  await expect(completions.getByRole('option', { name: /^vars\.invoice\s*object/ })).toBeVisible();
  const status = completions.getByRole('option', { name: /vars\.invoice\.status/ });
  await expect(status).toContainText('integer');
  await shoot(page, 'completion');
  await status.click();
  await expect(editor).toHaveText('vars.invoice.status');

  // Typed data flow: an integer in a field that takes a string is a warning, on the field and in the problems list.
  const typeWarning = 'This gives an integer, but the field takes string';
  await expect(message.getByTestId('field-problems')).toContainText(typeWarning);
  await expect(page.getByRole('list', { name: 'Problems in this step' })).toContainText(typeWarning);

  // A path no step before this one sets.
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('vars.total');
  await page.keyboard.press('Escape');
  await expect(message.getByTestId('field-problems')).toContainText(
    'vars.total is not set by any step before this one',
  );

  // JSONata functions with their signatures.
  await page.keyboard.press('Control+a');
  await page.keyboard.type('$su');
  await expect(completions.getByRole('option', { name: /^\$sum\b/ })).toContainText('$sum(array)');
  await page.keyboard.press('Escape');

  // A broken expression: underlined where jsonata stopped, and spelled out under the editor.
  await page.keyboard.press('Control+a');
  await page.keyboard.type('payload.amount > ');
  await expect(message.locator('.cm-lintRange-error')).toHaveCount(1);
  await expect(message.getByTestId('expression-syntax-error')).toContainText('Line 1, column');
  await expect(editor).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.type('1');
  await expect(message.getByTestId('expression-syntax-error')).toHaveCount(0);
  await expect(message.locator('.cm-lintRange-error')).toHaveCount(0);

  // Tab leaves an expression editor: it never traps the keyboard.
  await editor.focus();
  await page.keyboard.press('Tab');
  await expect(editor).not.toBeFocused();

  // Live preview: Try it evaluates as the expression changes.
  await message.getByRole('button', { name: 'Try it' }).click();
  await expect(message.getByTestId('try-result')).toContainText('false');
  await shoot(page, 'expression');

  // code.js: a syntax error is shown before publish, inline and from the check.
  await card(page, 'compute').click();
  const source = page.getByRole('textbox', { name: 'Source' });
  await expect(source).toHaveText('return 1;');
  await source.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('return 1 +;');
  const sourceField = field(page, 'config.source');
  await expect(sourceField.locator('.cm-lintRange-error').first()).toBeVisible();
  await expect(sourceField.getByTestId('code-syntax-error')).toContainText('Syntax error on line 1');
  await expect(sourceField.getByTestId('field-problems')).toContainText(/./);
  // Tab indents code; Escape, then Tab, leaves the editor.
  await page.keyboard.press('Tab');
  await expect(source).toBeFocused();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  await expect(source).not.toBeFocused();
  await shoot(page, 'code');
  await source.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('return 1 + 2;');
  await expect(sourceField.locator('.cm-lintRange-error')).toHaveCount(0);
  await expect(sourceField.getByTestId('code-syntax-error')).toHaveCount(0);
  await expect(sourceField.getByTestId('field-problems')).toHaveCount(0);

  // The parameter schema's JSON view is the JSON editor: a parse error is underlined, the last valid schema kept.
  await page.getByRole('button', { name: /^Workflow settings/ }).click();
  await page.getByRole('radio', { name: 'JSON' }).first().click();
  const raw = page.getByRole('textbox', { name: /as JSON/ }).first();
  await raw.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('{ "type": "object", }');
  await expect(page.getByText(/Not valid JSON yet/)).toBeVisible();
  await expect(page.locator('[data-language="json"] .cm-lintRange-error')).toHaveCount(1);

  // The saved draft holds what was typed; the warnings never blocked anything.
  await expect(page.getByTestId('save-state')).toContainText('Saved');
  const saved = await (await api(request).get(`/workflows/${key}/versions/1`)).json();
  expect(saved.steps[1].config.message).toEqual({ $expr: 'payload.amount > 1' });
  expect(saved.steps[2].config.source).toBe('return 1 + 2;');
});
