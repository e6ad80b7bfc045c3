import { describe, expect, it } from 'vitest';
import { inboxKeyAction } from '@/components/inbox/inbox-keys';
import { formRequiresInput } from '@/model/tasks/task-form';

const press = (key: string, extra: Partial<Parameters<typeof inboxKeyAction>[0]> = {}) =>
  inboxKeyAction({ key, altKey: false, ctrlKey: false, metaKey: false, target: { tagName: 'LI' } as never, ...extra });

describe('inbox keys', () => {
  it('move with j/k and the arrows, open with Enter, select with x', () => {
    expect(['j', 'ArrowDown', 'k', 'ArrowUp', 'Enter', 'x'].map((key) => press(key))).toEqual([
      'next',
      'next',
      'previous',
      'previous',
      'open',
      'select',
    ]);
    expect(press('a')).toBeNull();
  });

  it('leave typing and the browser’s own shortcuts alone', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT'])
      expect(press('j', { target: { tagName } as never })).toBeNull();
    expect(press('x', { target: { tagName: 'DIV', isContentEditable: true } as never })).toBeNull();
    expect(press('k', { ctrlKey: true })).toBeNull();
    expect(press('Enter', { metaKey: true })).toBeNull();
    expect(press('j', { altKey: true })).toBeNull();
  });
});

describe('formRequiresInput (bulk answers and one-click links)', () => {
  it('is true only for a form naming a required field at its top level', () => {
    expect(formRequiresInput({ type: 'object' })).toBe(false);
    expect(formRequiresInput({ type: 'object', required: [] })).toBe(false);
    expect(formRequiresInput({ type: 'object', required: ['reason'] })).toBe(true);
    expect(formRequiresInput(null)).toBe(false);
    expect(formRequiresInput('{"required":["x"]}')).toBe(false);
  });
});
