import { describe, expect, it } from 'vitest';
import { cardKeyIntent } from '@/components/designer/canvas/card-keys';

const press = (key: string, mods: { alt?: boolean; ctrl?: boolean; meta?: boolean; shift?: boolean } = {}) => ({
  key,
  altKey: mods.alt ?? false,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
});

describe('cardKeyIntent', () => {
  it('maps the editing keys, with Ctrl or ⌘', () => {
    expect(cardKeyIntent(press('Enter'), false)).toBe('select');
    expect(cardKeyIntent(press(' '), false)).toBe('select');
    expect(cardKeyIntent(press('ArrowDown'), false)).toBe('focus-next');
    expect(cardKeyIntent(press('ArrowUp'), false)).toBe('focus-previous');
    expect(cardKeyIntent(press('ArrowRight'), false)).toBe('expand');
    expect(cardKeyIntent(press('ArrowLeft'), true)).toBe('collapse');
    expect(cardKeyIntent(press('ArrowRight', { alt: true }), false)).toBeNull();
    expect(cardKeyIntent(press('ArrowDown', { alt: true }), false)).toBe('move-down');
    expect(cardKeyIntent(press('ArrowUp', { alt: true }), false)).toBe('move-up');
    expect(cardKeyIntent(press('d', { ctrl: true }), false)).toBe('duplicate');
    expect(cardKeyIntent(press('X', { meta: true }), false)).toBe('cut');
    expect(cardKeyIntent(press('c', { ctrl: true }), false)).toBe('copy');
    expect(cardKeyIntent(press('ContextMenu'), true)).toBe('menu');
    expect(cardKeyIntent(press('F10', { shift: true }), false)).toBe('menu');
    expect(cardKeyIntent(press('F10'), false)).toBeNull();
    expect(cardKeyIntent(press('v', { ctrl: true }), false)).toBe('paste');
    expect(cardKeyIntent(press('Delete'), false)).toBe('delete');
    expect(cardKeyIntent(press('Backspace'), false)).toBe('delete');
  });

  it('leaves other keys alone: plain letters, Ctrl+arrows, Tab', () => {
    expect(cardKeyIntent(press('d'), false)).toBeNull();
    expect(cardKeyIntent(press('ArrowDown', { ctrl: true }), false)).toBeNull();
    expect(cardKeyIntent(press('Tab'), false)).toBeNull();
  });

  it('read only, a card can be selected, walked past and copied, never changed', () => {
    expect(cardKeyIntent(press('Enter'), true)).toBe('select');
    expect(cardKeyIntent(press('c', { meta: true }), true)).toBe('copy');
    expect(cardKeyIntent(press('ArrowDown'), true)).toBe('focus-next');
    for (const change of [
      press('ArrowDown', { alt: true }),
      press('d', { ctrl: true }),
      press('x', { ctrl: true }),
      press('v', { ctrl: true }),
      press('Delete'),
    ])
      expect(cardKeyIntent(change, true)).toBeNull();
  });
});
