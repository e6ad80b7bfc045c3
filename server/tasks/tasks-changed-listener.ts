import 'server-only';
import { AppError } from '@/model/errors';
import { ChannelListener } from '@/server/db/channel-listener';
import { TASKS_CHANGED_CHANNEL } from '@/server/tasks/tasks-changed';

/**
 * One LISTEN connection per process on `pipewright_tasks_changed`, fanned out by tenant: every
 * open inbox badge of the process shares it, so a thousand badges hold one connection, not a
 * thousand. After a lost connection came back every subscriber is told to count again
 * (notices may have been missed meanwhile).
 */
export class TasksChangedListener extends ChannelListener<void> {
  constructor(
    connectionString: string,
    log: (line: string) => void = (line) => console.error(`[tasks-changed] ${line}`),
  ) {
    super({
      connectionString,
      channel: TASKS_CHANGED_CHANNEL,
      applicationName: 'pipewright-tasks-changed',
      parse: (tenantId) => (tenantId ? { key: tenantId, notice: undefined } : null),
      resync: () => undefined,
      log,
    });
  }
}

const globalForListener = globalThis as unknown as { pipewrightTasksChanged?: TasksChangedListener };

/** The process's listener, on DATABASE_URL. */
export function getTasksChangedListener(): TasksChangedListener {
  if (!globalForListener.pipewrightTasksChanged) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new AppError('CONFIG', 'DATABASE_URL is not set.');
    globalForListener.pipewrightTasksChanged = new TasksChangedListener(url);
  }
  return globalForListener.pipewrightTasksChanged;
}

/** Stops the process's listener (tests, shutdown). */
export async function closeTasksChangedListener(): Promise<void> {
  const listener = globalForListener.pipewrightTasksChanged;
  globalForListener.pipewrightTasksChanged = undefined;
  await listener?.close();
}
