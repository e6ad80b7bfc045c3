import type { FullConfig } from '@playwright/test';

/** Waits until a worker has registered, so tests start against a fully healthy app. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const health = await fetch(`${baseURL}/api/v1/health`).then(
      (r) => r.json() as Promise<{ ok: boolean }>,
      () => null,
    );
    if (health?.ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the app never became healthy (no worker heartbeat?)');
}
