import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { api, signIn } from './support';
import { chooseOption, unique } from './ui-support';

const TOKEN = unique('crm-token-never-shown');

/** A stub API on 127.0.0.1 (allowed by the e2e server's PIPEWRIGHT_EGRESS_ALLOW) that wants the connection's token. */
async function startStubApi(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const ok = request.headers.authorization === `Bearer ${TOKEN}`;
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function shoot(page: Page, name: string) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // No horizontal scroll at either width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `test-results/screenshots/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('a connection made in Settings is tested, used by a workflow, picked in the step panel and never shows its token', async ({
  page,
  request,
}) => {
  // A long journey over four pages with six screenshots: the default 60 s is tight on a loaded machine.
  test.setTimeout(120_000);
  const stub = await startStubApi();
  const name = unique('crm');
  const key = `uses-${name}`;
  try {
    await signIn(page);
    await page.goto('/settings/connections');
    await page.getByRole('button', { name: 'New connection' }).click();
    const dialog = page.getByRole('dialog', { name: 'New connection' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Base URL').fill(`${stub.origin}/v1`);
    await dialog.getByLabel('Token').fill(TOKEN);
    await dialog.getByLabel('Description').fill('The CRM');
    await shoot(page, 'connections-dialog');
    await dialog.getByRole('button', { name: 'Save connection' }).click();
    await expect(dialog).toBeHidden();

    const row = page.getByRole('row').filter({ hasText: name });
    await expect(row).toContainText('HTTP API');
    await expect(row).toContainText(`${stub.origin}/v1`);
    await expect(row).toContainText('sealed: auth.token');
    expect(await page.content()).not.toContain(TOKEN);

    await row.getByRole('button', { name: `Test ${name}` }).click();
    await expect(page.getByTestId(`connection-test-${name}`)).toContainText('answered 200');

    // A draft naming it: "used by" lists the workflow.
    const imported = await api(request).post('/workflows/import', {
      key,
      name: 'Sync the CRM',
      steps: [
        {
          id: 'fetch',
          type: 'action.call',
          name: 'Load customer',
          config: { action: 'http.request', version: 1, input: { method: 'GET', url: 'customers/1' } },
        },
      ],
    });
    expect(imported.status(), await imported.text()).toBeLessThan(300);

    // The step panel offers the connection by name.
    await page.goto(`/workflows/${key}/versions/1`);
    await page
      .getByRole('button', { name: /Load customer/ })
      .first()
      .click();
    const picker = page.locator('[data-config-path="config.input.connection"]').first();
    await chooseOption(page, picker, 'Connection', name);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByText('Unsaved changes')).toBeHidden();
    // With a connection, a path is a valid URL: the check after the save no longer flags it.
    await expect(page.locator('[data-config-path="config.input.url"]').first()).not.toContainText('absolute');
    await shoot(page, 'connections-step-panel');

    await page.goto('/settings/connections');
    await expect(row).toContainText('Sync the CRM');
    await shoot(page, 'connections-page');
    expect(await page.content()).not.toContain(TOKEN);

    const listed = await api(request).get('/connections');
    const text = await listed.text();
    expect(text).toContain(name);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));

    await page.getByRole('button', { name: `Delete ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete connection "${name}"?` });
    await expect(confirm).toContainText('1 workflow uses it');
    await confirm.getByRole('button', { name: 'Delete connection' }).click();
    await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(0);
  } finally {
    await stub.close();
  }
});

test('an MCP step lists the server tools and builds the arguments form from the chosen tool', async ({
  page,
  request,
}) => {
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { z } = await import('zod');
  const server = http.createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const mcp = new McpServer({ name: 'e2e-tools', version: '1.0.0' });
      mcp.registerTool(
        'add',
        { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
        ({ a, b }) => ({ content: [{ type: 'text' as const, text: String(a + b) }] }),
      );
      mcp.registerTool('ping', { description: 'Answers pong' }, () => ({
        content: [{ type: 'text' as const, text: 'pong' }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      response.on('close', () => void mcp.close());
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
      void mcp.connect(transport).then(() => transport.handleRequest(incoming, response, body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const name = unique('tools');
  const key = `mcp-${name}`;
  try {
    const created = await api(request).post('/connections', {
      name,
      type: 'mcp',
      config: { url: `http://127.0.0.1:${port}/mcp` },
    });
    expect(created.status(), await created.text()).toBe(201);
    const imported = await api(request).post('/workflows/import', {
      key,
      name: 'Use a tool',
      steps: [
        {
          id: 'tool',
          type: 'action.call',
          name: 'Call a tool',
          config: { action: 'mcp.callTool', version: 1, input: { connection: name, tool: '', arguments: {} } },
        },
      ],
    });
    expect(imported.status(), await imported.text()).toBeLessThan(300);
    await signIn(page);
    await page.goto(`/workflows/${key}/versions/1`);
    await page
      .getByRole('button', { name: /Call a tool/ })
      .first()
      .click();
    const tool = page.locator('[data-config-path="config.input.tool"]').first();
    await tool.getByRole('combobox').click();
    await expect(page.getByRole('option', { name: 'ping', exact: true })).toBeVisible();
    await page.getByRole('option', { name: 'add', exact: true }).click();
    const args = page.locator('[data-config-path="config.input.arguments"]').first();
    await expect(args.locator('[data-config-path="config.input.arguments.a"]')).toBeVisible();
    await expect(args.locator('[data-config-path="config.input.arguments.b"]')).toBeVisible();
    await shoot(page, 'connections-mcp-step');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('llm.chat usage shows on the run page and per workflow and day on the Overview', async ({ page, request }) => {
  // A loopback stub of OpenAI's /v1/chat/completions: 1,200 tokens in, 300 out.
  const server = http.createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          model: 'stub-model',
          choices: [{ message: { role: 'assistant', content: '{"label":"billing"}' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1200, completion_tokens: 300 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const name = unique('llm');
  const key = `classify-${name}`;
  const client = api(request);
  try {
    const created = await client.post('/connections', {
      name,
      type: 'openai',
      config: {
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey: 'sk-e2e-stub-key',
        prices: { 'stub-model': { inputPerMillion: 5, outputPerMillion: 15 } },
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const steps = [
      {
        id: 'classify',
        type: 'action.call',
        config: {
          action: 'llm.chat',
          version: 1,
          input: {
            connection: name,
            model: 'stub-model',
            messages: [{ role: 'user', content: 'Invoice wrong' }],
            json: true,
          },
          saveAs: 'vars.label',
        },
      },
      { id: 'done', type: 'control.return', config: { output: { $expr: 'vars.label.json' } } },
    ];
    expect((await client.post('/workflows', { key, name: key })).status()).toBe(201);
    expect((await client.post(`/workflows/${key}/versions`, { key, name: key, steps })).status()).toBeLessThan(300);
    expect((await client.post(`/workflows/${key}/versions/1/publish`)).status()).toBe(200);
    const started = await client.post(`/workflows/${key}/runs`, { input: {}, mode: 'sync', waitMs: 20000 });
    const body = (await started.json()) as { runId: string; output: unknown };
    expect(body.output).toEqual({ label: 'billing' });
    const run = (await (await client.get(`/runs/${body.runId}`)).json()) as { usage: unknown };
    // 1,200 × 5 + 300 × 15 per million = $0.0105
    expect(run.usage).toEqual({ inputTokens: 1200, outputTokens: 300, costUsd: 0.0105 });

    await signIn(page);
    await page.goto(`/runs/${body.runId}`);
    await expect(page.getByTestId('run-usage')).toHaveText('1,200 in · 300 out · $0.0105');
    await shoot(page, 'connections-run-usage');
    await page.goto('/overview');
    const usage = page.getByRole('table', { name: 'LLM usage per workflow and day' });
    await expect(usage.getByRole('row').filter({ hasText: key })).toContainText('$0.0105');
    await shoot(page, 'connections-overview-usage');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
