import type { PgBoss } from 'pg-boss';
import type { Db } from '@/server/db/database';
import { runTaskTimer, TASK_TIMER_QUEUE, taskTimerQueue, ZTaskTimerJob } from '@/server/tasks/task-timers';

/**
 * Human task timers in the worker (SPEC §10): a task's creation notice and escalation steps are
 * pg-boss jobs due at their time; any worker takes them. A failed job is retried by pg-boss
 * (the queue's retry policy); carrying out a step twice changes nothing (runTaskTimer).
 */
export async function startTaskTimers({
  db,
  boss,
  log,
}: {
  db: Db;
  boss: PgBoss;
  log: (line: string) => void;
}): Promise<void> {
  await taskTimerQueue();
  await boss.work(TASK_TIMER_QUEUE, { batchSize: 4, pollingIntervalSeconds: 2 }, async (jobs) => {
    for (const job of jobs) {
      const timer = ZTaskTimerJob.parse(job.data);
      const result = await runTaskTimer({ db, job: timer }).catch((error: unknown) => {
        log(`task timer ${timer.taskId}#${timer.step}: ${error instanceof Error ? error.message : String(error)}`);
        throw error; // pg-boss tries the job again
      });
      if (result === 'done') log(`task ${timer.taskId}: timer ${timer.step} carried out`);
    }
  });
}
