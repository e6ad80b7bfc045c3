import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { formatUsd } from '@/components/runs/run-usage';
import type { TLlmUsageDay } from '@/server/llm/llm-usage';

const tokens = new Intl.NumberFormat('en');

/** LLM tokens and cost per workflow per day (7 days, UTC), newest first, with the week's totals. */
export function LlmUsage({ days }: { days: TLlmUsageDay[] }) {
  const total = days.reduce(
    (sum, row) => ({
      inputTokens: sum.inputTokens + row.inputTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      costUsd: sum.costUsd + row.costUsd,
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  return (
    <Card className="p-5">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-sm font-semibold">LLM tokens and cost (7 days)</h2>
        <span className="text-[13px] text-ink-muted tabular-nums" data-testid="llm-usage-total">
          {tokens.format(total.inputTokens + total.outputTokens)} tokens · {formatUsd(total.costUsd)}
        </span>
      </div>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[26rem] text-sm" aria-label="LLM usage per workflow and day">
          <thead className="text-left text-xs text-ink-muted">
            <tr>
              <th className="pr-3 pb-2 font-medium">Day</th>
              <th className="pr-3 pb-2 font-medium">Workflow</th>
              <th className="pr-3 pb-2 text-right font-medium">In</th>
              <th className="pr-3 pb-2 text-right font-medium">Out</th>
              <th className="pb-2 text-right font-medium">Cost</th>
            </tr>
          </thead>
          <tbody>
            {days.map((row) => (
              <tr key={`${row.day}:${row.workflowKey}`} className="border-t border-line">
                <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{row.day}</td>
                <td className="max-w-40 truncate py-1.5 pr-3">
                  <Link href={`/runs?workflow=${encodeURIComponent(row.workflowKey)}`} className="hover:underline">
                    {row.workflowKey}
                  </Link>
                </td>
                <td className="py-1.5 pr-3 text-right tabular-nums">{tokens.format(row.inputTokens)}</td>
                <td className="py-1.5 pr-3 text-right tabular-nums">{tokens.format(row.outputTokens)}</td>
                <td className="py-1.5 text-right tabular-nums">{formatUsd(row.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
