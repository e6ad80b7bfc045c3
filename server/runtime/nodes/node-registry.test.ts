import dynamicIconImports from 'lucide-react/dynamicIconImports';
import { describe, expect, it } from 'vitest';
import { getNodeDescriptor, NODE_REGISTRY, type TCompleteNodeRegistry } from '@/server/runtime/nodes';
import { NODE_CATEGORIES, NODE_TYPES } from '@/model/nodes/node-shape';
import { controlIf } from '@/server/runtime/nodes/control-if';
import { transformAssign } from '@/server/runtime/nodes/transform-assign';

// Compile-time guarantees, checked by `tsc --noEmit` (a @ts-expect-error that stops erroring fails it).
// @ts-expect-error a node type without a descriptor does not compile
const _missing: TCompleteNodeRegistry = { 'transform.assign': transformAssign };
// @ts-expect-error a descriptor filed under another type does not compile
const _misfiled: TCompleteNodeRegistry['control.if'] = transformAssign;
const _filed: TCompleteNodeRegistry['control.if'] = controlIf;

describe('the node registry', () => {
  it('has exactly one descriptor per NODE_TYPES entry, filed under its own type', () => {
    expect(Object.keys(NODE_REGISTRY).sort()).toEqual([...NODE_TYPES].sort());
    for (const type of NODE_TYPES) expect(NODE_REGISTRY[type].type).toBe(type);
  });

  it('gives every node type palette metadata a person can use', () => {
    for (const descriptor of Object.values(NODE_REGISTRY)) {
      expect(descriptor.title.length, descriptor.type).toBeGreaterThan(2);
      expect(descriptor.description, descriptor.type).toMatch(/^[A-Z].{20,}\.$/);
      expect(Object.keys(dynamicIconImports), `${descriptor.type} icon`).toContain(descriptor.icon);
      expect(NODE_CATEGORIES, descriptor.type).toContain(descriptor.category);
    }
  });

  it('finds descriptors by type and answers null for anything else', () => {
    expect(getNodeDescriptor('control.if')).toBe(controlIf);
    expect(getNodeDescriptor(_filed.type)).toBe(controlIf);
    for (const unknown of ['control.while', '', 'toString', '__proto__', 'constructor'])
      expect(getNodeDescriptor(unknown), unknown).toBeNull();
  });
});
