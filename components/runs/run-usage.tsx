import type { TRunUsage } from '@/server/llm/llm-usage';

const tokens = new Intl.NumberFormat('en');

/** USD with enough digits for a fraction of a cent ($0.000123), two for larger sums. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0';
  if (value < 0.01) return `$${value.toPrecision(3)}`;
  return `$${value.toFixed(value < 100 ? 4 : 2)}`;
}

/** "1,234 in · 56 out · $0.0012": the tokens and cost of a run's LLM calls, its children's included. */
export function RunUsage({ usage }: { usage: TRunUsage }) {
  return (
    <span data-testid="run-usage" className="tabular-nums">
      {tokens.format(usage.inputTokens)} in · {tokens.format(usage.outputTokens)} out ·{' '}
      <span title="From the connection's prices per model">{formatUsd(usage.costUsd)}</span>
    </span>
  );
}
