import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password-1' };
export const E2E_BOOTSTRAP_TOKEN = 'pw_e2e_bootstrap_token_0123456789abcdef';
/** Everything the web server and worker print during the e2e run. */
const DATA_DIR = process.env.E2E_DATA_DIR ?? '.e2e-data';
export const E2E_LOG_FILE = `${DATA_DIR}/app.log`;

function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined; // Playwright's own browser, where one is installed
}

/**
 * E2E runs the real app the way a user does: `npm start`'s supervisor with an embedded
 * PostgreSQL in a fresh .e2e-data, a production build, and a worker.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-gpu',
      ],
    },
  },
  webServer: {
    command: `rm -rf ${DATA_DIR} && mkdir -p ${DATA_DIR} && node --conditions=react-server --import tsx scripts/start.ts`,
    url: `http://localhost:${PORT}/api/v1/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    env: {
      PORT: String(PORT),
      PIPEWRIGHT_DATA_DIR: DATA_DIR,
      PIPEWRIGHT_LOG_FILE: E2E_LOG_FILE,
      PIPEWRIGHT_ADMIN_EMAIL: E2E_ADMIN.email,
      PIPEWRIGHT_ADMIN_PASSWORD: E2E_ADMIN.password,
      PIPEWRIGHT_BOOTSTRAP_TOKEN: E2E_BOOTSTRAP_TOKEN,
      NEXTAUTH_URL: `http://localhost:${PORT}`,
      // The invoice e2e calls a stub ERP it starts on 127.0.0.1; no other spec relies on loopback being blocked.
      PIPEWRIGHT_EGRESS_ALLOW: '127.0.0.1',
    },
  },
});
