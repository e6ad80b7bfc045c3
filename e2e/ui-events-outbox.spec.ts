import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

// The Events and Outbox pages as a person uses them, with pictures at 1280 and 390 px
// (test-results/screenshots/events-*.png, outbox-*.png) to look at.
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

async function shoot(page: Page, name: string): Promise<void> {
  const { width } = page.viewportSize() ?? { width: 0 };
  const scheme = await page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  await page.screenshot({ path: `test-results/screenshots/${name}-${scheme}-${width}.png`, fullPage: true });
}

async function publish(request: APIRequestContext, key: string, document: Record<string, unknown>): Promise<void> {
  const client = api(request);
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

test('Events: matched and unmatched events with payloads, run links and filters', async ({ page, request }) => {
  test.setTimeout(120_000);
  const client = api(request);
  const prefix = unique('e2e.shipment');
  const arrived = `${prefix}.arrived`;
  const key = unique('e2e-dock');
  await publish(request, key, {
    steps: [
      {
        id: 'wait',
        type: 'event.wait',
        config: { event: arrived, correlationKey: { $expr: 'payload.box' }, saveAs: 'vars.arrival' },
      },
    ],
    output: { $expr: 'vars.arrival' },
  });
  const { runId } = await (await client.post(`/workflows/${key}/runs`, { input: { box: 'BOX-7' } })).json();
  await expect
    .poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status, { timeout: 20_000 })
    .toBe('WAITING');

  const matched = await client.post('/events', {
    event: arrived,
    correlationKey: 'BOX-7',
    payload: {
      dock: 4,
      carrier: { name: 'Northwind Freight', password: 'do-not-show' },
      pallets: [{ sku: 'A-1', qty: 12 }],
    },
  });
  expect(await matched.json()).toMatchObject({ resumed: [runId], started: [] });
  const longName = `${prefix}.${'temperature-excursion-detected-in-refrigerated-container'.repeat(2)}`;
  expect(
    (
      await client.post('/events', {
        event: longName,
        correlationKey: 'CONTAINER-0042-XYZ-VERY-LONG-CORRELATION-KEY-1234567890',
        payload: { celsius: 9.5 },
      })
    ).status(),
  ).toBe(200);
  expect((await client.post('/events', { event: `${prefix}.ping` })).status()).toBe(200);

  await signIn(page);
  await page.goto('/events');
  await expect(page.getByRole('heading', { name: 'Events', level: 1 })).toBeVisible();
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: arrived, exact: true }) });
  await expect(card.getByText('matched', { exact: true })).toBeVisible();
  await expect(card.getByText('BOX-7')).toBeVisible();
  await expect(card.getByRole('link', { name: runId.slice(0, 8) })).toHaveAttribute('href', `/runs/${runId}`);
  const payload = card.getByLabel(`Payload of ${arrived}`);
  await expect(payload).toContainText('"dock": 4');
  await expect(payload).toContainText('"password": "[redacted]"');
  await expect(page.getByText('do-not-show')).toHaveCount(0);

  // Filters: by part of the name, then only the unmatched ones.
  await page.getByLabel('Event name').fill(prefix);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`name=${prefix.replace(/\./g, '\\.')}`));
  await expect(page.getByRole('list', { name: 'Events' }).getByRole('listitem')).toHaveCount(3);
  await page.getByLabel('Shows').selectOption('unmatched');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('list', { name: 'Events' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('heading', { name: arrived, exact: true })).toHaveCount(0);
  await expect(page.getByText('No run was waiting for it').first()).toBeVisible();

  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.goto(`/events?name=${encodeURIComponent(prefix)}`);
    await expect(page.getByRole('heading', { name: arrived, exact: true })).toBeVisible();
    // Nothing runs off the side of the page, however long the name.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shoot(page, 'events');
  }

  await page.getByLabel('Event name').fill(`${prefix}-nothing-like-this`);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No events match these filters')).toBeVisible();
  await page.getByRole('link', { name: 'Show all events' }).click();
  await expect(page).toHaveURL(/\/events$/);
  await page.goto('/events?cursor=not-a-cursor');
  await expect(page.getByText('This page link is not valid')).toBeVisible();
});

test('Outbox: a message kept by email.send, read in the browser', async ({ page, request }) => {
  test.setTimeout(120_000);
  const client = api(request);
  const key = unique('e2e-mailer');
  const subject = `Invoice INV-2041 needs your approval (${key})`;
  await publish(request, key, {
    steps: [
      {
        id: 'notify',
        type: 'action.call',
        config: {
          action: 'email.send',
          version: 1,
          input: {
            to: [
              'maximilian.alexander.von.hohenzollern@a-very-long-subdomain.example-company.co.uk',
              'finance@example.com',
            ],
            subject,
            text: {
              $expr:
                '"Hello,\\n\\nInvoice INV-2041 over " & payload.amount & " EUR waits for your approval.\\n\\nPipewright"',
            },
            html: '<h1 style="font-family:sans-serif">Invoice INV-2041</h1><p>Please approve.</p><script>document.body.innerHTML="scripted"</script>',
          },
          saveAs: 'vars.sent',
        },
      },
    ],
    output: { $expr: 'vars.sent' },
  });
  const started = await client.post(`/workflows/${key}/runs`, {
    input: { amount: 1250 },
    mode: 'sync',
    waitMs: 20_000,
  });
  expect(started.status(), await started.text()).toBe(200);
  const { runId, output } = await started.json();
  expect(output.messageId).toMatch(/^<[0-9a-f]{32}@/);

  await signIn(page);
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.goto('/outbox');
    await expect(page.getByRole('heading', { name: 'Outbox', level: 1 })).toBeVisible();
    await shoot(page, 'outbox');
    await page.getByRole('link', { name: new RegExp(subject.replace(/[()]/g, '\\$&')) }).click();
    await expect(page.getByRole('heading', { name: subject, level: 2 })).toBeVisible();
    await expect(page.getByLabel('Text version')).toContainText(
      'Invoice INV-2041 over 1250 EUR waits for your approval.',
    );
    await expect(page.getByRole('link', { name: `run ${runId.slice(0, 8)}` })).toHaveAttribute(
      'href',
      `/runs/${runId}`,
    );
    const html = page.frameLocator(`iframe[title="HTML version of ${subject}"]`);
    await expect(html.getByRole('heading', { name: 'Invoice INV-2041' })).toBeVisible();
    // The sandbox runs no scripts: the message's own script did not replace its body.
    await expect(html.getByText('scripted')).toHaveCount(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shoot(page, 'outbox-message');
    if (size.width < 1024) {
      await page.getByRole('link', { name: 'All messages' }).click();
      await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
    }
  }
  await page.goto('/outbox?message=00000000-0000-0000-0000-000000000000');
  await expect(page.getByText('This message is not in the outbox')).toBeVisible();
});

test('Events, Outbox and the Overview say what will appear there in a tenant with nothing yet', async ({ page }) => {
  await signIn(page);
  await page.goto('/settings/tenants');
  await page.getByLabel('Name').fill('Quiet Tenant');
  await page.getByLabel('Slug').fill(unique('quiet'));
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByRole('button', { name: 'Switch to Quiet Tenant' }).click();
  await expect(page.getByTestId('current-tenant')).toHaveText('Quiet Tenant');
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.goto('/events');
    await expect(page.getByRole('heading', { name: 'No events yet' })).toBeVisible();
    await shoot(page, 'events-empty');
    await page.goto('/outbox');
    await expect(page.getByRole('heading', { name: 'No messages' })).toBeVisible();
    await shoot(page, 'outbox-empty');
    await page.goto('/overview');
    await expect(page.getByRole('heading', { name: 'No runs yet' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Go to workflows' })).toBeVisible();
    await shoot(page, 'overview-empty');
  }
});
