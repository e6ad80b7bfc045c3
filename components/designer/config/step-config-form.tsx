'use client';

import { ConfigField } from '@/components/designer/config/config-field';
import { JsonSchemaEditor } from '@/components/designer/config/json-schema-editor';
import { controlId, useConfigContext } from '@/components/designer/config/config-context';
import { emptyValueFor, labelFor, schemaKind, type TSchema } from '@/components/designer/config/schema-kind';
import type { TRegistry } from '@/components/designer/config/use-registry';
import { FieldProblems } from '@/components/designer/config/config-field';
import { Select } from '@/components/ui/select';
import type { TStep } from '@/model/definition/step';
import { useMcpToolSchema } from '@/components/designer/config/use-mcp-tool-schema';

type TConfig = Record<string, unknown>;

const EXPR_REF = { $ref: '#/definitions/Expr' };

/** Config keys whose generic label would read like the step's own fields (its name and description). */
const LABELS: Record<string, Record<string, string>> = {
  'human.task': { title: 'Task title', description: 'Task description (Markdown)' },
};

/** `action` + `version` as one choice of the registry's actions; changing it starts the input afresh. */
function ActionPicker({
  config,
  registry,
  onChange,
}: {
  config: TConfig;
  registry: TRegistry;
  onChange: (config: TConfig) => void;
}) {
  const context = useConfigContext();
  const id = controlId(context, 'config.action');
  const current =
    typeof config.action === 'string'
      ? `${config.action}@${typeof config.version === 'number' ? config.version : 1}`
      : '';
  const options = registry.actions.map((action) => ({
    value: action.ref,
    label: `${action.title} (${action.ref})`,
    description: action.description,
  }));
  if (current && !options.some((option) => option.value === current))
    options.unshift({ value: current, label: `${current} (not in this registry)`, description: '' });
  return (
    <div data-config-path="config.action" className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-[13px] font-medium text-ink">
        Action<span className="ml-0.5 text-danger">*</span>
      </label>
      <Select
        id={id}
        value={current}
        options={options}
        disabled={context.readOnly}
        className="w-full"
        onValueChange={(ref) => {
          const action = registry.actions.find((candidate) => candidate.ref === ref);
          if (!action) return;
          onChange({
            ...config,
            action: action.id,
            version: action.version,
            input: emptyValueFor(action.inputSchema) ?? {},
          });
        }}
      />
      <FieldProblems path="config.action" />
      <FieldProblems path="config.version" />
    </div>
  );
}

/**
 * The form of a step's `config`, generated from its node type's JSON Schema. Two fields get
 * more than the schema says: an action call's input is built from the chosen action's own
 * input schema (every value may be an expression or a secret there), and a human task's form
 * is edited as a JSON Schema.
 */
export function StepConfigForm({
  step,
  registry,
  onChange,
}: {
  step: TStep;
  registry: TRegistry;
  onChange: (step: TStep) => void;
}) {
  const node = registry.nodes.find((candidate) => candidate.type === step.type);
  const context = useConfigContext();
  const chosenAction =
    step.type === 'action.call'
      ? registry.actions.find(
          (candidate) => candidate.id === step.config?.action && candidate.version === (step.config?.version ?? 1),
        )
      : undefined;
  const mcp = useMcpToolSchema(chosenAction, step.config?.input);
  if (!node)
    return (
      <p className="text-[13px] text-danger">
        Unknown step type “{step.type}”: no form for it. Pick a type from the palette.
      </p>
    );
  const config: TConfig = step.config ?? {};
  const setConfig = (next: TConfig) => onChange({ ...step, config: next });
  const setKey = (key: string, value: unknown) => {
    const next = { ...config };
    if (value === undefined) delete next[key];
    else next[key] = value;
    setConfig(next);
  };
  const kind = schemaKind(node.configSchema);
  if (kind.kind !== 'object') return null;
  const action =
    step.type === 'action.call'
      ? registry.actions.find(
          (candidate) => candidate.id === config.action && candidate.version === (config.version ?? 1),
        )
      : undefined;

  return (
    <>
      {kind.properties.map(([key, schema]) => {
        const path = `config.${key}`;
        const required = kind.required.includes(key);
        if (step.type === 'action.call' && key === 'action')
          return <ActionPicker key={key} config={config} registry={registry} onChange={setConfig} />;
        if (step.type === 'action.call' && key === 'version') return null;
        if (step.type === 'action.call' && key === 'input') {
          if (!action) return null;
          const inputSchema: TSchema = { anyOf: [EXPR_REF, mcp.schema ?? action.inputSchema] };
          return (
            <ConfigField
              key={key}
              path={path}
              label="Input"
              schema={inputSchema}
              value={config.input}
              required
              onChange={(value) => setKey(key, value ?? {})}
              anyExpression
              secrets
              hint={mcp.problem ?? undefined}
            />
          );
        }
        if (step.type === 'human.task' && key === 'form') {
          return (
            <div key={key} data-config-path={path} className="flex flex-col gap-1.5">
              <span className="text-[13px] font-medium text-ink">
                Form<span className="ml-0.5 text-danger">*</span>
              </span>
              <JsonSchemaEditor
                id={controlId(context, path)}
                label="Task form"
                value={config.form}
                onChange={(form) => setKey(key, form)}
                readOnly={context.readOnly}
              />
              <FieldProblems path={path} />
            </div>
          );
        }
        if (schemaKind(schema).kind === 'pipe') return null;
        return (
          <ConfigField
            key={key}
            path={path}
            label={LABELS[step.type]?.[key] ?? labelFor(key)}
            schema={schema}
            value={config[key]}
            required={required}
            onChange={(value) => setKey(key, value)}
          />
        );
      })}
    </>
  );
}
