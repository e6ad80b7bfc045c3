import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ACTION_REFS } from '@/server/runtime/actions/action-descriptor';
import { NODE_CONFIG_SAMPLES, step } from '@/server/runtime/nodes/__fixtures__/node-config-samples';
import { NODE_TYPES, type TNodeType } from '@/model/nodes/node-shape';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import { listNodeTypes } from '@/server/runtime/registry/list-node-types';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

const nodeTypes = listNodeTypes();
const configSchemaOf = (type: TNodeType) => nodeTypes.find((info) => info.type === type)?.configSchema ?? {};

describe('listNodeTypes', () => {
  it('lists every node type once, in NODE_TYPES order', () => {
    expect(nodeTypes.map((info) => info.type)).toEqual([...NODE_TYPES]);
  });

  it.each(nodeTypes.map((info) => ({ type: info.type, info })))(
    '$type has config and output schemas that compile as JSON Schema',
    ({ info }) => {
      expect(() => ajv.compile(info.configSchema)).not.toThrow();
      expect(() => ajv.compile(info.outputSchema)).not.toThrow();
      expect(info.configSchema).toMatchObject({ type: 'object' });
    },
  );

  it.each(NODE_TYPES)('%s: the JSON Schema accepts every config the zod schema accepts', (type) => {
    const validate = ajv.compile(configSchemaOf(type));
    for (const config of NODE_CONFIG_SAMPLES[type].valid)
      expect(validate(config) ? [] : validate.errors, JSON.stringify(config)).toEqual([]);
  });

  it('renders nested pipes as arrays of a shared Step definition that the validator follows', () => {
    const schema = configSchemaOf('control.switch') as {
      properties: Record<string, unknown>;
      definitions: Record<string, unknown>;
    };
    expect(schema.properties.default).toEqual({ type: 'array', items: { $ref: '#/definitions/Step' } });
    expect(schema.definitions.Step).toMatchObject({ type: 'object', required: expect.arrayContaining(['id', 'type']) });
    const validate = ajv.compile(schema);
    expect(validate({ value: 1, cases: [{ when: 1, steps: [step('ok')] }] })).toBe(true);
    expect(validate({ value: 1, cases: [{ when: 1, steps: [{ id: 'bad id!', type: 'state.set' }] }] })).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toContain('/cases/0/steps/0/id');
  });

  it('marks fields that take an expression with a ref to the shared Expr definition', () => {
    const schema = configSchemaOf('control.forEach') as {
      properties: Record<string, { anyOf?: unknown[] } | undefined>;
    };
    expect(schema.properties.items?.anyOf).toContainEqual({ $ref: '#/definitions/Expr' });
    expect(schema.properties.concurrency).toEqual({ type: 'integer', minimum: 1, maximum: 50, default: 1 });
    const validate = ajv.compile(schema);
    expect(validate({ items: { $expr: 'payload.lines' }, steps: [] })).toBe(true);
    expect(validate({ items: { $expr: 'payload.lines', extra: 1 }, steps: [] })).toBe(false);
  });

  it('leaves out the definitions a schema does not use', () => {
    expect(configSchemaOf('control.fail')).not.toHaveProperty('definitions.Step');
    expect(configSchemaOf('transform.assign')).not.toHaveProperty('definitions');
  });
});

describe('listActionTypes', () => {
  const actionTypes = listActionTypes();

  it('lists every action ref once', () => {
    expect(actionTypes.map((info) => info.ref).sort()).toEqual([...ACTION_REFS].sort());
  });

  it.each(actionTypes.map((info) => ({ ref: info.ref, info })))(
    '$ref has input and output schemas that compile as JSON Schema',
    ({ info }) => {
      expect(() => ajv.compile(info.inputSchema)).not.toThrow();
      expect(() => ajv.compile(info.outputSchema)).not.toThrow();
    },
  );

  it('publishes the http.request input a form can be built from', () => {
    const http = actionTypes.find((info) => info.ref === 'http.request@1');
    const validate = ajv.compile(http?.inputSchema ?? {});
    expect(validate({ method: 'GET', url: 'https://example.com/a', query: { page: 2 } })).toBe(true);
    expect(validate({ method: 'FETCH', url: 'https://example.com/a' })).toBe(false);
    // With a connection the URL may be a path; without one the server's zod check requires an
    // absolute http(s) URL (a condition JSON Schema from zod cannot state), at publish and at run time.
    expect(validate({ connection: 'crm', method: 'GET', url: 'customers/7' })).toBe(true);
    const properties = http?.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(properties.connection?.['x-pipewright-connection']).toBe('http');
    expect(Object.keys(properties)[0]).toBe('connection');
  });

  it('marks the connection input of each action that takes one with its connection type', () => {
    const marked = Object.fromEntries(
      actionTypes.map((info) => [
        info.ref,
        (info.inputSchema.properties as Record<string, Record<string, unknown>> | undefined)?.connection?.[
          'x-pipewright-connection'
        ],
      ]),
    );
    expect(marked).toMatchObject({ 'http.request@1': 'http', 'postgres.query@1': 'postgres', 'llm.chat@1': 'openai' });
    expect(marked['core.echo@1']).toBeUndefined();
  });
});
