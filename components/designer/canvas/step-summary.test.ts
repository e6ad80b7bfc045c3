import { describe, expect, it } from 'vitest';
import { summarizeStep } from '@/components/designer/canvas/step-summary';

const step = (type: string, config: Record<string, unknown>) => ({
  id: 's',
  type,
  config,
  onError: 'fail' as const,
  disabled: false,
});

describe('summarizeStep for the authoring node types', () => {
  it('shows a code step’s first line of code and where it saves', () => {
    expect(
      summarizeStep(step('code.js', { source: '\n  const total = 1;\nreturn total;', saveAs: 'vars.total' })),
    ).toBe('const total = 1; · → vars.total');
    expect(summarizeStep(step('code.js', { source: '' }))).toBe('no code yet');
  });

  it('shows a log step’s level and message, a template in quotes', () => {
    expect(summarizeStep(step('log', { level: 'warn', message: 'Low stock' }))).toBe('warn: Low stock');
    expect(summarizeStep(step('log', { message: { $template: 'Hi {{ payload.name }}' } }))).toBe(
      'info: “Hi {{ payload.name }}”',
    );
  });
});
