import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { unique } from './ui-support';

type TClient = ReturnType<typeof api>;

const CSV = 'invoice,total\nINV-1,120.00\nINV-2,75.50\n';
/** A 1×1 PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A stub on 127.0.0.1 (allowed by the e2e server's PIPEWRIGHT_EGRESS_ALLOW) answering a CSV export. */
async function startCsvServer(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="invoices.csv"',
    });
    response.end(CSV);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function publish(client: TClient, key: string, document: Record<string, unknown>): Promise<void> {
  expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
  const saved = await client.post(`/workflows/${key}/versions`, { key, name: key, ...document });
  expect(saved.status(), await saved.text()).toBeLessThan(300);
  const published = await client.post(`/workflows/${key}/versions/1/publish`);
  expect(published.status(), await published.text()).toBe(200);
}

async function shoot(page: Page, name: string) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.getByTestId('run-artifacts').screenshot({ path: `test-results/screenshots/${name}-${width}.png` });
    await page.screenshot({ path: `test-results/screenshots/${name}-page-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('the run page lists a run’s artifacts with size, previews text and images, and downloads them', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const stub = await startCsvServer();
  const client = api(request);
  const key = unique('artifacts');
  try {
    await publish(client, key, {
      steps: [
        {
          id: 'export',
          type: 'action.call',
          config: {
            action: 'http.request',
            version: 1,
            input: { method: 'GET', url: `${stub.origin}/export`, saveBodyAs: 'artifact' },
          },
        },
        {
          id: 'report',
          type: 'code.js',
          config: {
            source: `const lines = [];
for (let i = 1; i <= 400; i++) lines.push('line ' + i + ': all invoices reconciled');
return {
  log: { $artifact: { name: 'reconcile.log', text: lines.join('\\n') } },
  chart: { $artifact: { name: 'chart.png', contentType: 'image/png', base64: '${PNG_BASE64}' } },
  page: { $artifact: { name: 'summary.html', contentType: 'text/html', text: '<script>document.title = "owned"</script>' } },
};`,
          },
        },
      ],
    });
    const started = await client.post(`/workflows/${key}/runs`, { input: {}, mode: 'sync', waitMs: 30000 });
    expect(started.status(), await started.text()).toBe(200);
    const { runId } = (await started.json()) as { runId: string };

    const listed = await client.get(`/runs/${runId}/artifacts`);
    expect(listed.status()).toBe(200);
    const { items } = (await listed.json()) as { items: Array<{ name: string; size: number; url: string }> };
    expect(items.map((a) => a.name).sort()).toEqual(['chart.png', 'invoices.csv', 'reconcile.log', 'summary.html']);

    await signIn(page);
    await page.goto(`/runs/${runId}`);
    const section = page.getByTestId('run-artifacts');
    await expect(section.getByRole('heading', { name: 'Artifacts' })).toBeVisible();
    await expect(section).toContainText('4 files');
    const csvRow = section.getByTestId('artifact-row').filter({ hasText: 'invoices.csv' });
    await expect(csvRow).toContainText('text/csv; charset=utf-8');
    await expect(csvRow).toContainText(`${CSV.length} B`);
    await expect(csvRow.getByTestId('artifact-text-preview')).toHaveText(CSV.replace(/\n$/, ''), {
      useInnerText: true,
    });
    // A long text shows its first 4 KB only.
    const logRow = section.getByTestId('artifact-row').filter({ hasText: 'reconcile.log' });
    await expect(logRow.getByTestId('artifact-text-preview')).toContainText('line 1: all invoices reconciled');
    await expect(logRow.getByTestId('artifact-text-preview')).not.toContainText('line 400:');
    await expect(logRow).toContainText('First 4.1 kB of');
    // The image is shown; it loaded (naturalWidth 1).
    const image = section.getByRole('img', { name: 'Preview of chart.png' });
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
    // HTML is previewed as its source text, never rendered: its script does not run.
    const htmlRow = section.getByTestId('artifact-row').filter({ hasText: 'summary.html' });
    await expect(htmlRow.getByTestId('artifact-text-preview')).toHaveText('<script>document.title = "owned"</script>');
    expect(await page.title()).not.toBe('owned');
    await shoot(page, 'run-artifacts');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      csvRow.getByRole('link', { name: 'invoices.csv' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('invoices.csv');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path, 'utf8')).toBe(CSV);

    // Opened directly, the HTML file is an attachment with nosniff: it never runs on our origin.
    const html = items.find((a) => a.name === 'summary.html')!;
    const direct = await page.request.get(`${html.url}?disposition=inline`);
    expect(direct.headers()['content-disposition']).toMatch(/^attachment; filename="summary.html"/);
    expect(direct.headers()['x-content-type-options']).toBe('nosniff');
  } finally {
    await stub.close();
  }
});
