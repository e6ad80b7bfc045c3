import { describe, expect, it } from 'vitest';
import { parseClipboardSteps, stepsToClipboardText } from '@/components/designer/canvas/step-clipboard';

const step = { id: 'greet', type: 'transform.assign', config: { assign: { 'vars.x': 1 } } };

describe('parseClipboardSteps', () => {
  it('reads back what a copy wrote, a bare step and a list of steps', () => {
    const copied = parseClipboardSteps(stepsToClipboardText([{ ...step, onError: 'fail', disabled: false }]));
    expect(copied).toEqual({ ok: true, steps: [{ ...step, onError: 'fail', disabled: false }] });
    expect(parseClipboardSteps(JSON.stringify(step))).toMatchObject({ ok: true, steps: [{ id: 'greet' }] });
    expect(parseClipboardSteps(JSON.stringify([step, { ...step, id: 'two' }]))).toMatchObject({
      ok: true,
      steps: [{ id: 'greet' }, { id: 'two' }],
    });
  });

  it('says why text is not steps: empty, not JSON, not a step (naming the field)', () => {
    expect(parseClipboardSteps('  ')).toEqual({ ok: false, message: 'The clipboard is empty: copy a step first.' });
    const notJson = parseClipboardSteps('{"id": "greet",');
    expect(notJson.ok).toBe(false);
    expect(!notJson.ok && notJson.message).toMatch(/^The clipboard does not hold steps: it is not JSON \(/);
    expect(parseClipboardSteps(JSON.stringify({ id: 'has space', type: 'x' }))).toEqual({
      ok: false,
      message: 'The clipboard does not hold Pipewright steps (id: use 1–64 letters, digits, "_" or "-").',
    });
    expect(parseClipboardSteps(JSON.stringify({ pipewright: 'steps', steps: [] }))).toEqual({
      ok: false,
      message: 'The clipboard does not hold Pipewright steps (steps: no steps in it).',
    });
    expect(parseClipboardSteps('"hello"')).toMatchObject({ ok: false });
  });
});
