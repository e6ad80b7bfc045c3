/**
 * What both the browser and the engine know about a node type, as data: palette metadata,
 * where its nested pipes are (with labels and scope roles), what it writes under `vars`, and the
 * config a new step starts with. The engine adds the config schema and `execute`/`resume`
 * (server/runtime/nodes), like Inngest workflow-kit's public action beside its engine action.
 */

/** Every node type of SPEC §4.3. NODE_SHAPES and the runtime registry must have one entry for each. */
export const NODE_TYPES = [
  'transform.assign',
  'state.set',
  'action.call',
  'event.wait',
  'human.task',
  'time.delay',
  'control.if',
  'control.switch',
  'control.forEach',
  'control.parallel',
  'control.tryCatch',
  'control.callWorkflow',
  'control.return',
  'control.fail',
  'code.js',
  'log',
] as const;
export type TNodeType = (typeof NODE_TYPES)[number];

/** Palette groups in the designer. */
export const NODE_CATEGORIES = ['data', 'actions', 'waiting', 'flow', 'end'] as const;
export type TNodeCategory = (typeof NODE_CATEGORIES)[number];

/** What kind of pipe a nested pipe is, for scope rules (`catch` sets `error`, an iteration binds `$item`). */
export type TPipeRole = 'branch' | 'iteration' | 'parallel' | 'try' | 'catch' | 'finally';

/**
 * A nested pipe of a block type, declared once: a single config key (`then`), or one pipe per
 * entry of a list (`cases[i].steps`). `optional`: the config may leave it out, and then it
 * counts as an empty pipe (the designer offers it as a drop zone; the graph leaves it out unless
 * `drawnWhenAbsent`).
 */
export type TPipeSpec =
  | {
      kind: 'single';
      key: string;
      label: string;
      role: TPipeRole;
      optional?: boolean;
      /** A run's graph draws it even when left out (an if's "Else": the way around the "Then"). */
      drawnWhenAbsent?: boolean;
    }
  | {
      kind: 'list';
      list: string;
      role: TPipeRole;
      /** The label of entry `index`; `entry` is its config when known (a run's timeline may not have it). */
      label: (index: number, entry: Record<string, unknown> | undefined) => string;
    };

/** How the interpreter runs a block type (the runners live in server/runtime/interpreter). */
export type TBlockKind = 'branch' | 'tryCatch' | 'forEach' | 'parallel';

/** Something a step writes under `vars`, with what is known of its shape for the field picker. */
export type TVarsWrite = {
  /** `vars.invoice` */
  path: string;
  /** The value written, when the config holds it (transform.assign): keys are read from it. */
  literal?: unknown;
  /** A JSON Schema of the value when the config decides it (a human task's form, a forEach's list). */
  schema?: Record<string, unknown>;
  /** The action whose output is saved (`http.request@1`): its output schema comes from the registry. */
  actionRef?: string;
};

export type TRawConfig = Record<string, unknown>;

export type TNodeShape<T extends TNodeType = TNodeType> = {
  type: T;
  title: string;
  description: string;
  /** A lucide icon name (kebab-case), e.g. `git-branch`. */
  icon: string;
  category: TNodeCategory;
  /** Null for a leaf step; otherwise how the interpreter walks its pipes. */
  block: TBlockKind | null;
  /** Its nested pipes in display order; empty for a leaf. */
  pipes: readonly TPipeSpec[];
  /**
   * What it writes under `vars` once it has run (not what its nested steps write), read from a
   * config that may be an incomplete draft. Publish checks each path starts with `vars.`.
   */
  writesVars(config: TRawConfig): TVarsWrite[];
  /**
   * The config a new step starts with: empty pipes for blocks so they take steps at once.
   * Required values (condition, items…) are left out on purpose: the form marks them missing
   * instead of the designer guessing one.
   */
  initialConfig(action?: { id: string; version: number }): TRawConfig;
};
