import 'server-only';

/**
 * Histogram buckets in seconds. Runs span milliseconds (pure steps) to days (human tasks,
 * timers); steps are mostly calls and expressions.
 */
export const RUN_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];
export const STEP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The metrics of SPEC §8, with their help text; counters and histograms are rolled up, gauges read at scrape time. */
export const METRICS = {
  runsStarted: {
    name: 'pipewright_runs_started_total',
    type: 'counter',
    help: 'Runs started, by workflow and trigger type',
  },
  runsFinished: {
    name: 'pipewright_runs_finished_total',
    type: 'counter',
    help: 'Runs that reached SUCCEEDED, FAILED or CANCELED, by workflow and status',
  },
  runDuration: {
    name: 'pipewright_run_duration_seconds',
    type: 'histogram',
    help: 'Time from a run starting to its end, by workflow',
  },
  steps: { name: 'pipewright_steps_total', type: 'counter', help: 'Step attempts that ended, by node type and status' },
  stepDuration: {
    name: 'pipewright_step_duration_seconds',
    type: 'histogram',
    help: 'Step attempt durations, by node type',
  },
  leaseRecoveries: {
    name: 'pipewright_lease_recoveries_total',
    type: 'counter',
    help: 'Step attempts taken over after their worker stopped answering (WORKER_LOST)',
  },
  runs: { name: 'pipewright_runs', type: 'gauge', help: 'Runs not yet ended, by status' },
  waitsOpen: {
    name: 'pipewright_waits_open',
    type: 'gauge',
    help: 'Open waits, by kind (event, timer, task, child, retry)',
  },
  queueDepth: { name: 'pipewright_queue_depth', type: 'gauge', help: 'Runs QUEUED: waiting to start' },
  queueOldest: {
    name: 'pipewright_queue_oldest_seconds',
    type: 'gauge',
    help: 'Age of the oldest QUEUED run (0 when none)',
  },
  tasksOpen: { name: 'pipewright_tasks_open', type: 'gauge', help: 'Human tasks open' },
  workers: { name: 'pipewright_workers', type: 'gauge', help: 'Worker processes with a heartbeat in the last 30 s' },
} as const;
