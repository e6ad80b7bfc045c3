import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_ADMIN, E2E_BOOTSTRAP_TOKEN, E2E_LOG_FILE } from '../playwright.config';

export { E2E_ADMIN, E2E_BOOTSTRAP_TOKEN, E2E_LOG_FILE };

/** Signs in through the real sign-in form and waits for the app shell. */
export async function signIn(page: Page, email = E2E_ADMIN.email, password = E2E_ADMIN.password): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

/** Calls /api/v1 with the bootstrap admin token unless another token is given. */
export function api(request: APIRequestContext, token = E2E_BOOTSTRAP_TOKEN) {
  const headers = { authorization: `Bearer ${token}` };
  return {
    get: (path: string) => request.get(`/api/v1${path}`, { headers }),
    post: (path: string, data?: unknown) => request.post(`/api/v1${path}`, { headers, data }),
    delete: (path: string) => request.delete(`/api/v1${path}`, { headers }),
  };
}
