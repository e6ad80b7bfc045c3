import { expect, type Locator, type Page } from '@playwright/test';

/** A name no other test (or earlier run against the same data) has used. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Waits until the page has streamed in: the route's loading placeholder is gone and React has
 * revealed every streamed segment (it holds them in hidden `<div id="S:…">`s and may reveal them
 * a few hundred milliseconds after the document's load event).
 */
export async function waitForStreamedPage(page: Page): Promise<void> {
  await expect(page.locator('[aria-busy="true"][aria-label="Loading"]')).toHaveCount(0);
  await page.waitForFunction(() => document.querySelectorAll('div[hidden][id^="S:"]').length === 0);
}

/** Picks an option of one of our Radix selects, found by its exact label inside `scope`. */
export async function chooseOption(page: Page, scope: Locator, label: string, option: string): Promise<void> {
  await scope.getByLabel(label, { exact: true }).click();
  // The option list is portalled to the end of <body>, outside the scope.
  await page.getByRole('option', { name: option, exact: true }).click();
  await expect(scope.getByLabel(label, { exact: true })).toHaveText(option);
}

/** Adds a member through Settings → Members and returns the one-time password of the new account. */
export async function addMemberThroughUi(
  page: Page,
  member: { email: string; name?: string; role: 'admin' | 'editor' | 'operator' | 'viewer' },
): Promise<string> {
  await page.goto('/settings/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add member' });
  await dialog.getByLabel('Email').fill(member.email);
  if (member.name) await dialog.getByLabel('Name').fill(member.name);
  await chooseOption(page, dialog, 'Role', member.role);
  await dialog.getByRole('button', { name: 'Add member' }).click();
  const added = page.getByRole('dialog', { name: 'Member added' });
  const password = (await added.getByTestId('shown-once-value').textContent())?.trim() ?? '';
  expect(password.length).toBeGreaterThanOrEqual(10);
  await added.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('cell', { name: member.email })).toBeVisible();
  return password;
}

/** Creates an API token through Settings → API tokens and returns its clear value. */
export async function createTokenThroughUi(
  page: Page,
  name: string,
  role: 'admin' | 'editor' | 'operator' | 'viewer',
): Promise<string> {
  await page.goto('/settings/tokens');
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create API token' });
  await dialog.getByLabel('Name').fill(name);
  await chooseOption(page, dialog, 'Role', role);
  await dialog.getByRole('button', { name: 'Create token' }).click();
  const created = page.getByRole('dialog', { name: `Token "${name}" created` });
  await expect(created).toContainText('it will not be shown again');
  const token = (await created.getByTestId('shown-once-value').textContent())?.trim() ?? '';
  expect(token).toMatch(/^pw_/);
  await created.getByRole('button', { name: 'Done' }).click();
  return token;
}

export async function signOutThroughUi(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'User menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}
