import type { TRandom } from '@/test/chaos/prng';

/**
 * Seeded workflow documents for the chaos suite: nested parallel, forEach with concurrency
 * over waits, delays, HTTP calls to the loopback receiver (failing, throttled, slow), human
 * tasks, event waits (with and without lookback, keyed and not), child workflows, try/catch
 * with finally, run timeouts, concurrency limits, retry policies and step timeouts. Next to
 * each document it says what the invariants need to know (where the forEach windows are,
 * which delay comes right before which event wait).
 */
export type TStep = {
  id: string;
  type: string;
  config: Record<string, unknown>;
  retry?: Record<string, unknown>;
  timeoutMs?: number;
  onError?: 'fail' | 'continue';
};

/** A forEach over waits: `lastStep` is the index of its body's last step (an iteration is done when that step succeeded). */
export type TForEachWindow = { path: string; concurrency: number; items: number; lastStep: number };

/** A delay right before an event wait: the driver delivers the event as the delay ends, i.e. while the wait is being created. */
export type TSnipe = {
  /** Matches the delay's step path; group 1 is the forEach index when inside one. */
  delayPath: RegExp;
  event: string;
  /** The wait's correlation key for a run (and iteration), or null for an uncorrelated wait. */
  key: ((runId: string, index: number | null) => string) | null;
  lookbackMs: number | null;
};

export type TGeneratedWorkflow = {
  key: string;
  child: boolean;
  document: { steps: TStep[]; settings?: Record<string, unknown>; output?: unknown };
  maxConcurrentRuns: number | null;
  forEachWindows: TForEachWindow[];
  snipes: TSnipe[];
};

export type TGenerateOptions = { receiverUrl: string; workflows: number; hugeRetryAfter: boolean };

type TContext = {
  random: TRandom;
  options: TGenerateOptions;
  counter: { n: number };
  workflow: TGeneratedWorkflow;
  children: readonly string[];
  /** Inside a forEach body: the index is part of event keys, and no forEach nests in it. */
  inForEach: boolean;
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function nextId(ctx: TContext, prefix: string): string {
  ctx.counter.n += 1;
  return `${prefix}${ctx.counter.n}`;
}

const RETRY = { maxAttempts: 4, initialDelayMs: 200, backoffCoefficient: 2, maxDelayMs: 2000, jitter: true };

function httpStep(ctx: TContext, route?: string): TStep {
  const { random } = ctx;
  const id = nextId(ctx, 'call');
  const chosen =
    route ??
    random.pick([
      `ok/${id}`,
      `ok/${id}`,
      `slow/${random.int(200, 1500)}/${id}`,
      `flaky/${random.int(1, 2)}/${id}`,
      `limited/1/${id}`,
      ...(ctx.options.hugeRetryAfter && random.chance(0.3) ? [`huge-retry-after/${id}`] : []),
    ]);
  const step: TStep = {
    id,
    type: 'action.call',
    config: {
      action: 'http.request',
      version: 1,
      input: { method: 'POST', url: `${ctx.options.receiverUrl}/${chosen}`, body: { step: id }, timeoutMs: 10_000 },
    },
  };
  if (/^(flaky|limited|huge-retry-after)\//.test(chosen) || random.chance(0.3)) step.retry = { ...RETRY };
  // A step timeout shorter than a slow answer: the attempt times out and (with a policy) is tried again.
  if (chosen.startsWith('slow/') && random.chance(0.3)) {
    step.timeoutMs = random.int(300, 2000);
    step.retry ??= { ...RETRY, maxAttempts: 2 };
  }
  return step;
}

function taskStep(ctx: TContext): TStep {
  const id = nextId(ctx, 'task');
  const config: Record<string, unknown> = {
    title: `Chaos task ${id}`,
    form: { type: 'object', properties: { note: { type: 'string' } } },
    outcomes: ['approve', 'reject'],
    assignee: { role: 'operator' },
    saveAs: `vars.${id}`,
  };
  if (ctx.random.chance(0.35)) config.timeoutMs = ctx.random.int(1500, 6000);
  return { id, type: 'human.task', config };
}

function eventWaitStep(ctx: TContext, keyed: boolean, lookbackMs: number | null): TStep {
  const id = nextId(ctx, 'wait');
  const config: Record<string, unknown> = {
    event: keyed ? `chaos.keyed.${id}` : `chaos.free.${ctx.workflow.key}.${id}`,
    saveAs: `vars.${id}`,
  };
  if (keyed)
    config.correlationKey = {
      $expr: ctx.inForEach ? `meta.runId & ':${id}:' & $string($index)` : `meta.runId & ':${id}'`,
    };
  if (lookbackMs !== null) config.lookbackMs = lookbackMs;
  if (ctx.random.chance(0.2)) {
    config.timeoutMs = ctx.random.int(4000, 10_000);
    config.onTimeout = ctx.random.pick(['fail', 'continue']);
  }
  return { id, type: 'event.wait', config };
}

function delayStep(ctx: TContext, ms?: number): TStep {
  return { id: nextId(ctx, 'nap'), type: 'time.delay', config: { durationMs: ms ?? ctx.random.int(100, 1500) } };
}

/** A delay then an event wait, registered so the driver can deliver the event as the wait is created. */
function snipedWait(ctx: TContext, pipePath: string, index: number): TStep[] {
  const keyed = ctx.random.chance(0.75);
  const lookbackMs = ctx.random.chance(0.5) ? 5000 : null;
  const delay = delayStep(ctx, ctx.random.int(200, 800));
  const wait = eventWaitStep(ctx, keyed, lookbackMs);
  const waitId = wait.id;
  const pattern = escapeRegExp(`${pipePath}[${index}]`).replace(/#\\\{i\\\}/g, '#(\\d+)');
  ctx.workflow.snipes.push({
    delayPath: new RegExp(`^${pattern}$`),
    event: String(wait.config.event),
    key: keyed ? (runId, i) => (i === null ? `${runId}:${waitId}` : `${runId}:${waitId}:${i}`) : null,
    lookbackMs,
  });
  return [delay, wait];
}

/** A step that fails the run once (a 400, not retryable) and goes through when an operator retries. */
function failOnceStep(ctx: TContext): TStep {
  const step = httpStep(ctx, '');
  const input = step.config.input as Record<string, unknown>;
  input.url = `${ctx.options.receiverUrl}/fail-first/1/${step.id}`;
  delete step.retry;
  delete step.timeoutMs;
  return step;
}

function generatePipe(ctx: TContext, pipePath: string, depth: number, length: number): TStep[] {
  const steps: TStep[] = [];
  while (steps.length < length) {
    const index = steps.length;
    const path = `${pipePath}[${index}]`;
    const kinds = ['assign', 'delay', 'http', 'http', 'task', 'wait', 'snipe', 'failOnce'];
    if (depth > 0) kinds.push('parallel', 'tryCatch', ...(ctx.inForEach ? [] : ['forEach', 'forEach']));
    if (ctx.children.length > 0) kinds.push('child');
    const kind = ctx.random.pick(kinds);
    switch (kind) {
      case 'assign':
        steps.push({
          id: nextId(ctx, 'set'),
          type: 'transform.assign',
          config: { assign: { [`vars.n${ctx.counter.n}`]: index } },
        });
        break;
      case 'delay':
        steps.push(delayStep(ctx));
        break;
      case 'http':
        steps.push(httpStep(ctx));
        break;
      case 'task':
        steps.push(taskStep(ctx));
        break;
      case 'wait':
        steps.push(eventWaitStep(ctx, ctx.random.chance(0.7), ctx.random.chance(0.4) ? 5000 : null));
        break;
      case 'snipe':
        steps.push(...snipedWait(ctx, pipePath, index));
        break;
      case 'failOnce':
        steps.push(failOnceStep(ctx));
        break;
      case 'child':
        steps.push({
          id: nextId(ctx, 'child'),
          type: 'control.callWorkflow',
          config: {
            workflow: ctx.random.pick(ctx.children),
            version: 'latest',
            input: { from: 'parent' },
            saveAs: `vars.c${ctx.counter.n}`,
          },
        });
        break;
      case 'parallel': {
        const id = nextId(ctx, 'par');
        const branches = Array.from({ length: ctx.random.int(2, 3) }, (_, b) => ({
          id: `b${b}`,
          steps: generatePipe(ctx, `${path}.config.branches[${b}].steps`, depth - 1, ctx.random.int(1, 3)),
        }));
        steps.push({ id, type: 'control.parallel', config: { branches, saveAs: `vars.${id}` } });
        break;
      }
      case 'tryCatch': {
        const id = nextId(ctx, 'try');
        const tryPipe = generatePipe(ctx, `${path}.config.try`, depth - 1, ctx.random.int(1, 2));
        // Something in the try fails often, so the catch (and the retry of a step inside it) runs.
        if (ctx.random.chance(0.6))
          tryPipe.push({
            id: nextId(ctx, 'boom'),
            type: 'control.fail',
            config: { code: 'CHAOS', message: 'planned failure' },
          });
        const catchPipe = ctx.random.chance(0.5)
          ? [failOnceStep(ctx)]
          : generatePipe(ctx, `${path}.config.catch`, depth - 1, 1);
        const config: Record<string, unknown> = { try: tryPipe, catch: catchPipe };
        if (ctx.random.chance(0.6))
          config.finally = [
            ctx.random.chance(0.5)
              ? httpStep(ctx, `ok/fin${ctx.counter.n}`)
              : { id: nextId(ctx, 'fin'), type: 'transform.assign', config: { assign: { 'vars.finally': true } } },
          ];
        steps.push({ id, type: 'control.tryCatch', config });
        break;
      }
      case 'forEach': {
        const id = nextId(ctx, 'each');
        const items = ctx.random.int(3, 7);
        const concurrency = ctx.random.int(1, 4);
        const inner: TContext = { ...ctx, inForEach: true };
        const bodyPath = `${path}#{i}.config.steps`;
        const body = ctx.random.pick(['task', 'snipe', 'http', 'delayTask'] as const);
        const bodySteps =
          body === 'task'
            ? [taskStep(inner)]
            : body === 'snipe'
              ? snipedWait(inner, bodyPath, 0)
              : body === 'http'
                ? [httpStep(inner)]
                : [delayStep(inner), taskStep(inner)];
        steps.push({
          id,
          type: 'control.forEach',
          config: {
            items: { $expr: `[1..${items}]` },
            concurrency,
            steps: bodySteps,
            collect: { $expr: '$index' },
            saveAs: `vars.${id}`,
          },
        });
        if (body !== 'http')
          ctx.workflow.forEachWindows.push({ path, concurrency, items, lastStep: bodySteps.length - 1 });
        break;
      }
    }
  }
  return steps;
}

function childWorkflow(random: TRandom, options: TGenerateOptions, key: string): TGeneratedWorkflow {
  const workflow: TGeneratedWorkflow = {
    key,
    child: true,
    document: { steps: [] },
    maxConcurrentRuns: null,
    forEachWindows: [],
    snipes: [],
  };
  const ctx: TContext = { random, options, counter: { n: 0 }, workflow, children: [], inForEach: false };
  workflow.document.steps = [
    delayStep(ctx, random.int(100, 800)),
    httpStep(ctx),
    ...(random.chance(0.5) ? [taskStep(ctx)] : []),
  ];
  return workflow;
}

/** Generates the chaos run's workflows: children first (parents call them by key). */
export function generateWorkflows(random: TRandom, options: TGenerateOptions): TGeneratedWorkflow[] {
  const children = [childWorkflow(random, options, 'chaos-child-a'), childWorkflow(random, options, 'chaos-child-b')];
  const parents: TGeneratedWorkflow[] = [];
  for (let w = 0; w < options.workflows; w++) {
    const key = `chaos-flow-${w}`;
    const workflow: TGeneratedWorkflow = {
      key,
      child: false,
      document: { steps: [] },
      maxConcurrentRuns: null,
      forEachWindows: [],
      snipes: [],
    };
    const ctx: TContext = {
      random,
      options,
      counter: { n: 0 },
      workflow,
      children: children.map((c) => c.key),
      inForEach: false,
    };
    workflow.document.steps = generatePipe(ctx, 'steps', 2, random.int(3, 6));
    const settings: Record<string, unknown> = {};
    // The first workflow always has a limit, so the limit invariants have something to check.
    if (w === 0 || random.chance(0.25)) {
      workflow.maxConcurrentRuns = random.int(1, 3);
      settings.maxConcurrentRuns = workflow.maxConcurrentRuns;
    }
    if (random.chance(0.25)) settings.timeoutMs = random.int(15_000, 40_000);
    if (Object.keys(settings).length > 0) workflow.document.settings = settings;
    workflow.document.output = { $expr: '$keys(vars)' };
    parents.push(workflow);
  }
  return [...children, ...parents];
}
