'use client';

import { Play } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { evaluateExpressionAction } from '@/app/(app)/workflows/try-expression-server-action';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import type { TScopeEntry } from '@/model/designer/expression-scope';
import { sampleEnvelope } from '@/model/designer/sample-envelope';
import { usePanelPinnedEnvelope } from '@/components/designer/testing/testing-context';

const TEXTAREA =
  'w-full rounded-md border border-line-strong bg-surface px-2.5 py-2 font-mono text-[12px] leading-5 text-ink focus-visible:border-accent aria-[invalid=true]:border-danger';

/**
 * "Try it": evaluates the expression on the server, under the same limits as a run, against
 * sample data people can edit. The sample starts from what the field picker offers.
 */
export function TryExpression({
  id,
  source,
  scope,
  envValues,
  workflowKey,
  disabled,
}: {
  id: string;
  source: string;
  scope: readonly TScopeEntry[];
  envValues: Record<string, string>;
  workflowKey: string;
  disabled: boolean;
}) {
  // With a run pinned, the sample is what this step read on that run.
  const pinned = usePanelPinnedEnvelope();
  const initialSample = () => {
    const { sample, bindings } = sampleEnvelope(scope, envValues);
    const base = pinned ? { ...sample, payload: pinned.payload, vars: pinned.vars } : sample;
    return JSON.stringify(bindings ? { ...base, $item: bindings.item, $index: bindings.index } : base, null, 2);
  };
  const [text, setText] = useState(initialSample);
  // A run pinned (or unpinned) while the panel is open: start again from its data.
  const [shownPin, setShownPin] = useState(pinned);
  if (shownPin !== pinned) {
    setShownPin(pinned);
    setText(initialSample());
  }
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [result, setResult] = useState<{ value: unknown } | null>(null);
  const { pending, error, run } = useServerAction(evaluateExpressionAction);

  const evaluate = (): void => {
    let parsed: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new SyntaxError('the sample must be a JSON object');
      parsed = value as Record<string, unknown>;
    } catch (thrown) {
      setSampleError(`Sample data is not valid JSON: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      return;
    }
    setSampleError(null);
    setResult(null);
    const { $item, $index, ...sample } = parsed;
    const bindings =
      '$item' in parsed || '$index' in parsed
        ? { item: $item, index: typeof $index === 'number' ? $index : undefined }
        : undefined;
    run({ source, sample, bindings, workflowKey }, (data) => setResult(data));
  };

  // A live preview: while the panel is open, the result follows the expression and the sample
  // (600 ms after the last change, the same bounded server evaluation as the button).
  const latest = useRef(evaluate);
  latest.current = evaluate;
  const first = useRef(true);
  useEffect(() => {
    if (disabled || source.trim() === '') return;
    const timer = setTimeout(() => latest.current(), first.current ? 0 : 600);
    first.current = false;
    return () => clearTimeout(timer);
  }, [source, text, disabled]);

  return (
    <div className="flex flex-col gap-2 rounded-md border border-line bg-canvas p-2.5">
      <Label htmlFor={`${id}-sample`}>Sample data</Label>
      <textarea
        id={`${id}-sample`}
        value={text}
        onChange={(event) => setText(event.target.value)}
        rows={Math.min(12, text.split('\n').length)}
        spellCheck={false}
        className={TEXTAREA}
        aria-invalid={Boolean(sampleError)}
      />
      <div className="flex items-center gap-2">
        <Button
          size="sm"
          variant="secondary"
          onClick={evaluate}
          loading={pending}
          disabled={disabled || source.trim() === ''}
        >
          <Play className="size-3.5" aria-hidden />
          Evaluate
        </Button>
        <span className="text-[12px] text-ink-faint">
          Updates as you type. Runs on the server with a run’s limits; nothing is saved.
        </span>
      </div>
      <div aria-live="polite" data-testid="try-result">
        {sampleError && <p className="text-[13px] text-danger">{sampleError}</p>}
        {error && (
          <p
            className="rounded-md border border-danger/30 bg-danger-soft px-2.5 py-1.5 text-[13px] text-danger"
            role="alert"
          >
            {error.message}
          </p>
        )}
        {result && (
          <div>
            <p className="mb-1 text-[12px] font-medium text-ink-muted">Result</p>
            <pre className="max-h-48 overflow-auto rounded-md border border-line bg-surface px-2.5 py-2 font-mono text-[12px] text-ink">
              {JSON.stringify(result.value, null, 2)}
            </pre>
          </div>
        )}
      </div>
    </div>
  );
}
