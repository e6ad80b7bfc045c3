import type { TBlockKind, TNodeShape, TNodeType, TRawConfig, TVarsWrite } from '@/model/nodes/node-shape';

const noVars = (): TVarsWrite[] => [];
const emptyConfig = (): TRawConfig => ({});

/** `saveAs` when it names a path under vars, the output of the step's type saved there. */
function savedOutput(config: TRawConfig, extra: Omit<TVarsWrite, 'path'> = {}): TVarsWrite[] {
  return typeof config.saveAs === 'string' && config.saveAs !== '' ? [{ path: config.saveAs, ...extra }] : [];
}

function objectAt(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * One shape per node type, in palette order. The `satisfies` clause makes a type of NODE_TYPES
 * without a shape (or filed under another type) a compile error; the runtime's registry adds
 * each one's config schema and behaviour.
 */
export const NODE_SHAPES = {
  'transform.assign': {
    type: 'transform.assign',
    title: 'Set variables',
    description: 'Sets one or more paths under vars to literal values or expression results.',
    icon: 'variable',
    category: 'data',
    block: null,
    pipes: [],
    writesVars: (config) =>
      Object.entries(objectAt(config.assign) ?? {}).map(([path, literal]): TVarsWrite => ({ path, literal })),
    initialConfig: emptyConfig,
  },
  'state.set': {
    type: 'state.set',
    title: 'Set run state',
    description: 'Sets the business state of the run (such as "awaiting approval") that run lists show and filter by.',
    icon: 'tag',
    category: 'data',
    block: null,
    pipes: [],
    writesVars: noVars,
    initialConfig: emptyConfig,
  },
  'action.call': {
    type: 'action.call',
    title: 'Call an action',
    description: 'Calls a built-in action such as an HTTP request or an email, and can save its result under vars.',
    icon: 'zap',
    category: 'actions',
    block: null,
    pipes: [],
    writesVars: (config) =>
      savedOutput(config, {
        actionRef:
          typeof config.action === 'string'
            ? `${config.action}@${typeof config.version === 'number' ? config.version : 1}`
            : '',
      }),
    initialConfig: (action) => (action ? { action: action.id, version: action.version, input: {} } : { input: {} }),
  },
  'event.wait': {
    type: 'event.wait',
    title: 'Wait for an event',
    description:
      'Pauses the run until a matching event arrives (optionally one received shortly before), then saves its payload.',
    icon: 'radio-receiver',
    category: 'waiting',
    block: null,
    pipes: [],
    writesVars: (config) => savedOutput(config),
    initialConfig: emptyConfig,
  },
  'human.task': {
    type: 'human.task',
    title: 'Human task',
    description:
      'Puts a task with a form in the approvals inbox and waits until someone answers it with one of the outcomes.',
    icon: 'user-check',
    category: 'waiting',
    block: null,
    pipes: [],
    writesVars: (config) =>
      savedOutput(config, {
        schema: {
          type: 'object',
          properties: {
            outcome: { type: 'string' },
            data: objectAt(config.form) ?? {},
            completedBy: { type: 'string' },
            completedAt: { type: 'string' },
          },
        },
      }),
    initialConfig: emptyConfig,
  },
  'time.delay': {
    type: 'time.delay',
    title: 'Delay',
    description: 'Waits for a duration or until a point in time; the timer survives restarts.',
    icon: 'timer',
    category: 'waiting',
    block: null,
    pipes: [],
    writesVars: noVars,
    initialConfig: emptyConfig,
  },
  'control.if': {
    type: 'control.if',
    title: 'If / else',
    description: 'Runs the "then" pipe when the condition is true, else the "else" pipe.',
    icon: 'git-branch',
    category: 'flow',
    block: 'branch',
    pipes: [
      { kind: 'single', key: 'then', label: 'Then', role: 'branch' },
      { kind: 'single', key: 'else', label: 'Else', role: 'branch', optional: true, drawnWhenAbsent: true },
    ],
    writesVars: noVars,
    initialConfig: () => ({ then: [], else: [] }),
  },
  'control.switch': {
    type: 'control.switch',
    title: 'Switch',
    description: 'Runs the pipe of the first case whose value equals the given value, or the default pipe.',
    icon: 'split',
    category: 'flow',
    block: 'branch',
    pipes: [
      {
        kind: 'list',
        list: 'cases',
        role: 'branch',
        // The value a case matches says more than its number, where the definition is at hand.
        label: (index, entry) => `Case ${JSON.stringify(entry?.when ?? index + 1)}`,
      },
      { kind: 'single', key: 'default', label: 'Default', role: 'branch', optional: true },
    ],
    writesVars: noVars,
    initialConfig: () => ({ cases: [{ when: 'a', steps: [] }], default: [] }),
  },
  'control.forEach': {
    type: 'control.forEach',
    title: 'For each',
    description:
      'Runs the nested pipe once per item, optionally several at a time, and collects one result per item in order.',
    icon: 'repeat',
    category: 'flow',
    block: 'forEach',
    pipes: [{ kind: 'single', key: 'steps', label: 'For each item', role: 'iteration' }],
    writesVars: (config) => savedOutput(config, { schema: { type: 'array' } }),
    initialConfig: () => ({ steps: [] }),
  },
  'control.parallel': {
    type: 'control.parallel',
    title: 'Parallel',
    description:
      'Runs several pipes at the same time, each on its own copy of vars, and saves each branch result by branch id.',
    icon: 'columns-3',
    category: 'flow',
    block: 'parallel',
    pipes: [
      {
        kind: 'list',
        list: 'branches',
        role: 'parallel',
        label: (index, entry) => `Branch ${typeof entry?.id === 'string' ? entry.id : index + 1}`,
      },
    ],
    writesVars: (config) => {
      const branches = Array.isArray(config.branches) ? config.branches.map(objectAt) : [];
      const ids = branches.flatMap((branch) => (typeof branch?.id === 'string' ? [branch.id] : []));
      return savedOutput(config, {
        schema: { type: 'object', properties: Object.fromEntries(ids.map((id) => [id, {}])) },
      });
    },
    initialConfig: () => ({
      branches: [
        { id: 'a', steps: [] },
        { id: 'b', steps: [] },
      ],
    }),
  },
  'control.tryCatch': {
    type: 'control.tryCatch',
    title: 'Try / catch',
    description:
      'Runs the "try" pipe; if a step in it fails, runs the "catch" pipe with the error, then the "finally" pipe either way.',
    icon: 'shield-alert',
    category: 'flow',
    block: 'tryCatch',
    pipes: [
      { kind: 'single', key: 'try', label: 'Try', role: 'try' },
      { kind: 'single', key: 'catch', label: 'Catch', role: 'catch' },
      { kind: 'single', key: 'finally', label: 'Finally', role: 'finally', optional: true },
    ],
    writesVars: noVars,
    initialConfig: () => ({ try: [], catch: [], finally: [] }),
  },
  'control.callWorkflow': {
    type: 'control.callWorkflow',
    title: 'Call workflow',
    description:
      'Starts another workflow as a child run, waits for it, and can save its output; a failed child fails this step.',
    icon: 'workflow',
    category: 'flow',
    block: null,
    pipes: [],
    writesVars: (config) => savedOutput(config),
    initialConfig: emptyConfig,
  },
  'control.return': {
    type: 'control.return',
    title: 'Return',
    description: 'Ends the run successfully right here, with the given output.',
    icon: 'circle-check',
    category: 'end',
    block: null,
    pipes: [],
    writesVars: noVars,
    initialConfig: emptyConfig,
  },
  'control.fail': {
    type: 'control.fail',
    title: 'Fail',
    description:
      'Raises an error with your code and message; a surrounding try/catch can handle it, otherwise the run fails.',
    icon: 'circle-x',
    category: 'end',
    block: null,
    pipes: [],
    writesVars: noVars,
    initialConfig: emptyConfig,
  },
  'code.js': {
    type: 'code.js',
    title: 'Run JavaScript',
    description: 'Runs a short JavaScript function in a sandbox with no I/O and returns its JSON result.',
    icon: 'code',
    category: 'data',
    block: null,
    pipes: [],
    writesVars: (config) => savedOutput(config),
    initialConfig: emptyConfig,
  },
  log: {
    type: 'log',
    title: 'Log',
    description: "Writes a message at a level (debug, info, warn, error) to the run's event log.",
    icon: 'scroll-text',
    category: 'data',
    block: null,
    pipes: [],
    writesVars: noVars,
    initialConfig: emptyConfig,
  },
} as const satisfies { [K in TNodeType]: TNodeShape<K> };

/** The node types that are blocks (they hold nested pipes the interpreter walks). */
export type TBlockType = {
  [K in TNodeType]: (typeof NODE_SHAPES)[K]['block'] extends TBlockKind ? K : never;
}[TNodeType];

export function isNodeType(type: string): type is TNodeType {
  return Object.hasOwn(NODE_SHAPES, type);
}

/** The shape of a step's `type`, or null for a type Pipewright does not know. */
export function nodeShapeOf(type: string): TNodeShape | null {
  return isNodeType(type) ? (NODE_SHAPES[type] as TNodeShape) : null;
}

export function isBlockType(type: string): type is TBlockType {
  return nodeShapeOf(type)?.block != null;
}
