/*
 * A version document as the server stores it: the defaults of SPEC §4 filled in and the known
 * fields in the server's order, everything else (configs, schemas, env maps) kept as written.
 * Two documents that the server would store the same way have the same canonical text, so the
 * CLI can tell "unchanged" without a round trip, and a pulled file is byte-stable.
 *
 * This restates, for the CLI (which imports nothing from the server), what the server's zod
 * schema of the document does; canonical-document.test.ts holds the two against each other on
 * the validation fixtures, so a default changed on one side only fails there.
 */

type TObject = Record<string, unknown>;

const isObject = (value: unknown): value is TObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields `order` names, in that order (with `defaults` where missing), then any others as written. */
function ordered(value: TObject, order: readonly string[], defaults: TObject = {}): TObject {
  const out: TObject = {};
  for (const name of order) {
    if (value[name] !== undefined) out[name] = value[name];
    else if (defaults[name] !== undefined) out[name] = structuredClone(defaults[name]);
  }
  for (const [name, field] of Object.entries(value)) if (!(name in out) && field !== undefined) out[name] = field;
  return out;
}

const DOCUMENT_ORDER = [
  'key',
  'name',
  'description',
  'tags',
  'version',
  'status',
  'parameterSchema',
  'env',
  'settings',
  'steps',
  'output',
];
const DOCUMENT_DEFAULTS = {
  description: '',
  parameterSchema: { type: 'object', properties: {} },
  env: {},
  settings: {},
  steps: [],
};
const ENV_ORDER = ['vars', 'secrets'];
const ENV_DEFAULTS = { vars: {}, secrets: {} };
const SETTINGS_ORDER = [
  'timeoutMs',
  'maxConcurrentRuns',
  'runsPerMinute',
  'retentionDays',
  'redact',
  'defaultRetry',
  'defaultStepTimeoutMs',
];
const SETTINGS_DEFAULTS = { redact: [] };
const STEP_ORDER = ['id', 'type', 'name', 'description', 'config', 'retry', 'timeoutMs', 'onError', 'disabled'];
const STEP_DEFAULTS = { config: {}, onError: 'fail', disabled: false };
const RETRY_ORDER = [
  'maxAttempts',
  'initialDelayMs',
  'backoffCoefficient',
  'maxDelayMs',
  'jitter',
  'nonRetryableCodes',
];
const RETRY_DEFAULTS = {
  maxAttempts: 1,
  initialDelayMs: 1000,
  backoffCoefficient: 2,
  maxDelayMs: 60_000,
  jitter: true,
  nonRetryableCodes: [],
};

function canonicalStep(step: unknown): unknown {
  if (!isObject(step)) return step;
  const out = ordered(step, STEP_ORDER, STEP_DEFAULTS);
  if (isObject(out.retry)) out.retry = ordered(out.retry, RETRY_ORDER, RETRY_DEFAULTS);
  return out;
}

/**
 * The document as the server would store it. Values the server would refuse are left as they
 * are: the server says what is wrong with them.
 */
export function canonicalDocument(document: TObject): TObject {
  // JSON round trip: what goes over the wire (undefined fields and non-JSON values drop out).
  const plain = JSON.parse(JSON.stringify(document)) as TObject;
  const out = ordered(plain, DOCUMENT_ORDER, DOCUMENT_DEFAULTS);
  if (typeof out.name === 'string') out.name = out.name.trim();
  if (isObject(out.env)) out.env = ordered(out.env, ENV_ORDER, ENV_DEFAULTS);
  if (isObject(out.settings)) {
    const settings = ordered(out.settings, SETTINGS_ORDER, SETTINGS_DEFAULTS);
    if (isObject(settings.defaultRetry))
      settings.defaultRetry = ordered(settings.defaultRetry, RETRY_ORDER, RETRY_DEFAULTS);
    out.settings = settings;
  }
  if (Array.isArray(out.steps)) out.steps = out.steps.map(canonicalStep);
  return out;
}

/** What a version document says, without where it stands (`version`, `status`): the definition to keep in git. */
export function definitionOf(document: TObject): TObject {
  const { version: _version, status: _status, ...rest } = canonicalDocument(document);
  return rest;
}

/** The document with the workflow's tags beside its description (left out when there are none). */
export function withTags(document: TObject, tags: readonly string[]): TObject {
  const { tags: _tags, ...rest } = document;
  return tags.length ? { ...rest, tags: [...tags] } : rest;
}

/** Whether two documents define the same thing (same canonical text, key order included). */
export function sameDefinition(a: TObject, b: TObject): boolean {
  return JSON.stringify(definitionOf(a)) === JSON.stringify(definitionOf(b));
}
