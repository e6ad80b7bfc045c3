'use client';

import { useId, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  ConfigContextProvider,
  problemsByPath,
  type TConfigContext,
} from '@/components/designer/config/config-context';
import { ConfigField, FieldProblems } from '@/components/designer/config/config-field';
import { EnvEditor } from '@/components/designer/config/env-editor';
import { JsonSchemaEditor } from '@/components/designer/config/json-schema-editor';
import type { TSchema } from '@/components/designer/config/schema-kind';
import { outputSchemasOf } from '@/components/designer/config/step-config-panel';
import { useRegistry, type TRegistry } from '@/components/designer/config/use-registry';
import { defaultValue, SchemaForm, validateAgainstSchema } from '@/components/schema-form';
import type { TJsonSchema } from '@/components/schema-form';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { computeExpressionScope, type TScopeEntry } from '@/model/designer/expression-scope';
import type { TProblem } from '@/model/definition/problem';

export type TWorkflowPanelsProps = {
  definition: TVersionDocumentInput;
  /** The tenant's secret names (never values), for `env.secrets`. */
  secrets: string[];
  readOnly: boolean;
  /** Workflow-level problems (stepId null), paths from the document root (`parameterSchema`, `settings.redact[0]`). */
  problems: TProblem[];
  onChange: (definition: TVersionDocumentInput) => void;
  registry?: TRegistry;
};

/** SPEC §4.1's retry policy (ZRetryPolicy), for action calls without a `retry` of their own. */
const RETRY_POLICY_SCHEMA: TSchema = {
  type: 'object',
  description: 'For every action call without a retry policy of its own.',
  required: ['maxAttempts'],
  properties: {
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    initialDelayMs: { type: 'integer', minimum: 0, default: 1000 },
    backoffCoefficient: { type: 'number', minimum: 1, maximum: 10, default: 2 },
    maxDelayMs: { type: 'integer', minimum: 0, default: 60000 },
    jitter: { type: 'boolean', default: true },
    nonRetryableCodes: { type: 'array', items: { type: 'string' } },
  },
};

const SETTINGS: Array<[string, string, TSchema]> = [
  [
    'timeoutMs',
    'Run timeout (ms)',
    { type: 'integer', minimum: 1000, description: 'A run still going after this long fails with TIMEOUT.' },
  ],
  [
    'maxConcurrentRuns',
    'Concurrent runs at most',
    { type: 'integer', minimum: 1, maximum: 10000, description: 'Further runs wait QUEUED until one ends.' },
  ],
  [
    'runsPerMinute',
    'Runs per minute at most',
    { type: 'integer', minimum: 1, maximum: 100000, description: 'Runs over the rate wait QUEUED.' },
  ],
  [
    'retentionDays',
    'Keep runs for (days)',
    {
      type: 'integer',
      minimum: 1,
      maximum: 3650,
      description:
        "Ended runs are deleted this long after they end. Empty: the tenant's default (Settings → Tenant), else 30.",
    },
  ],
  [
    'redact',
    'Redact in snapshots',
    {
      type: 'array',
      items: { type: 'string', pattern: '^/' },
      description: 'JSON Pointers into the envelope, e.g. /payload/card.',
    },
  ],
  [
    'defaultStepTimeoutMs',
    'Step timeout by default (ms)',
    { type: 'integer', minimum: 1, description: 'For every step without a timeout of its own.' },
  ],
  ['defaultRetry', 'Retry policy by default', RETRY_POLICY_SCHEMA],
];
const OUTPUT: TSchema = {
  anyOf: [{ $ref: '#/definitions/Expr' }, {}],
  description: 'What the run returns; an expression over the envelope after the last step.',
};

function Panel({
  title,
  description,
  children,
  id,
}: {
  title: string;
  description: string;
  children: ReactNode;
  id: string;
}) {
  return (
    <section aria-labelledby={id} className="flex flex-col gap-4 rounded-lg border border-line bg-surface p-4">
      <div>
        <h2 id={id} className="text-sm font-semibold text-ink">
          {title}
        </h2>
        <p className="mt-0.5 text-[13px] text-ink-muted">{description}</p>
      </div>
      {children}
    </section>
  );
}

/** The run form as people will see it, filled as they like, checked as a run start would. */
function RunFormPreview({ schema }: { schema: TJsonSchema }) {
  const [value, setValue] = useState<unknown>(() => defaultValue(schema));
  const text = JSON.stringify(schema);
  const [seen, setSeen] = useState(text);
  if (seen !== text) {
    setSeen(text);
    setValue(defaultValue(schema));
  }
  const errors = useMemo(() => validateAgainstSchema(schema, value), [schema, value]);
  return (
    <div className="rounded-md border border-dashed border-line-strong bg-canvas p-3" data-testid="run-form-preview">
      <p className="mb-3 text-xs font-semibold tracking-wide text-ink-faint uppercase">Run form preview</p>
      <form noValidate onSubmit={(event) => event.preventDefault()}>
        <SchemaForm
          schema={schema}
          value={value}
          onChange={setValue}
          errors={errors}
          showSummary={false}
          idPrefix="run-preview"
        />
      </form>
    </div>
  );
}

/**
 * The workflow-level panels: the parameter schema with a live preview of the run form, env
 * vars and secret references, settings (timeout, concurrency, rate, retention, redaction)
 * and the run's output.
 */
export function WorkflowPanels({
  definition,
  secrets,
  readOnly,
  problems,
  onChange,
  registry: givenRegistry,
}: TWorkflowPanelsProps) {
  const { registry } = useRegistry(givenRegistry);
  const idPrefix = `wf${useId().replace(/[^A-Za-z0-9]/g, '')}`;
  const root = useRef<HTMLDivElement>(null);
  const context = useMemo<TConfigContext>(() => {
    let scope: TScopeEntry[] | null = null;
    return {
      readOnly,
      problems: problemsByPath(problems, ''),
      focusPath: null,
      scopeFor: () =>
        (scope ??= computeExpressionScope({ definition, stepId: null, outputSchemas: outputSchemasOf(registry) })),
      secretRefs: definition.env?.secrets ?? {},
      envValues: definition.env?.vars ?? {},
      workflowKey: definition.key,
      idPrefix,
    };
  }, [readOnly, problems, definition, registry, idPrefix]);

  const settings = (definition.settings ?? {}) as Record<string, unknown>;
  const setSetting = (key: string, value: unknown) => {
    const next = { ...settings };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange({ ...definition, settings: next });
  };
  const parameterSchema = (definition.parameterSchema ?? { type: 'object', properties: {} }) as TJsonSchema;

  return (
    <ConfigContextProvider value={context}>
      <div ref={root} className="flex min-w-0 flex-col gap-4" data-testid="workflow-panels">
        <Panel
          id={`${idPrefix}-params`}
          title="Parameters"
          description="The input a run starts with (payload). Forms, webhooks and the API are checked against it."
        >
          <div data-config-path="parameterSchema" className="flex flex-col gap-2">
            <JsonSchemaEditor
              id={`${idPrefix}-schema`}
              label="Parameter schema"
              value={parameterSchema}
              onChange={(schema) => onChange({ ...definition, parameterSchema: schema })}
              readOnly={readOnly}
            />
            <FieldProblems path="parameterSchema" />
          </div>
          <RunFormPreview schema={parameterSchema} />
        </Panel>
        <Panel
          id={`${idPrefix}-env`}
          title="Env and secrets"
          description="Env vars are readable by expressions as env.NAME. Secrets are referenced by name in action inputs and resolved only when the action runs."
        >
          <EnvEditor
            env={definition.env ?? {}}
            tenantSecrets={secrets}
            readOnly={readOnly}
            onChange={(env) => onChange({ ...definition, env })}
          />
        </Panel>
        <Panel
          id={`${idPrefix}-settings`}
          title="Settings"
          description="Limits and retention for every run of this version."
        >
          {SETTINGS.map(([key, label, schema]) => (
            <ConfigField
              key={key}
              path={`settings.${key}`}
              label={label}
              schema={schema}
              value={settings[key]}
              onChange={(value) => setSetting(key, value)}
            />
          ))}
        </Panel>
        <Panel
          id={`${idPrefix}-output`}
          title="Output"
          description="The run’s result, shown in the run and returned to callers."
        >
          <ConfigField
            path="output"
            label="Output"
            schema={OUTPUT}
            value={definition.output}
            onChange={(output) => onChange({ ...definition, output })}
            scopeField="output"
          />
        </Panel>
      </div>
    </ConfigContextProvider>
  );
}
