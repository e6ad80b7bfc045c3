/**
 * Next.js calls register() once when a server starts: the web process's logs become JSON
 * lines (SPEC §8), console output included, before anything else logs.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { installLogging } = await import('@/server/logging/logger');
    installLogging({ service: 'web' });
  }
}
