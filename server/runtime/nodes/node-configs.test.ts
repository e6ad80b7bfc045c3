import { describe, expect, it } from 'vitest';
import { formatIssuePath } from '@/model/errors';
import { NODE_CONFIG_SAMPLES } from '@/server/runtime/nodes/__fixtures__/node-config-samples';
import { NODE_REGISTRY } from '@/server/runtime/nodes';
import { NODE_TYPES } from '@/model/nodes/node-shape';

const validCases = NODE_TYPES.flatMap((type) =>
  NODE_CONFIG_SAMPLES[type].valid.map((config, index) => ({ type, index, config })),
);
const invalidCases = NODE_TYPES.flatMap((type) =>
  NODE_CONFIG_SAMPLES[type].invalid.map(([why, config, path]) => ({ type, why, config, path })),
);

describe('node config schemas', () => {
  it('have valid and invalid samples for every node type', () => {
    for (const type of NODE_TYPES) {
      expect(NODE_CONFIG_SAMPLES[type].valid.length, type).toBeGreaterThan(0);
      expect(NODE_CONFIG_SAMPLES[type].invalid.length, type).toBeGreaterThan(0);
    }
  });

  it.each(validCases)('$type accepts valid sample $index', ({ type, config }) => {
    const parsed = NODE_REGISTRY[type].configSchema.safeParse(config);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it.each(invalidCases)('$type rejects $why at "$path"', ({ type, config, path }) => {
    const parsed = NODE_REGISTRY[type].configSchema.safeParse(config);
    expect(parsed.success).toBe(false);
    const paths = parsed.success ? [] : parsed.error.issues.map((issue) => formatIssuePath(issue.path));
    expect(paths).toContain(path);
  });

  it('fills the documented defaults', () => {
    expect(NODE_REGISTRY['control.forEach'].configSchema.parse({ items: [], steps: [] })).toMatchObject({
      concurrency: 1,
      onItemError: 'fail',
    });
    expect(NODE_REGISTRY['event.wait'].configSchema.parse({ event: 'x' })).toMatchObject({ onTimeout: 'fail' });
    expect(NODE_REGISTRY['action.call'].configSchema.parse({ action: 'core.echo', version: 1 })).toMatchObject({
      input: {},
    });
  });
});
