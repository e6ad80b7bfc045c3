import { TriangleAlert } from 'lucide-react';
import { CopyButton } from '@/components/ui/copy-button';

/** A secret value shown a single time, with a copy button and a warning that it will not come back. */
export function ShownOnce({ label, value, warning }: { label: string; value: string; warning: string }) {
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-1.5">
        <span className="text-[13px] font-medium text-ink">{label}</span>
        <div className="flex items-center gap-2 rounded-md border border-line bg-subtle p-1.5 pl-3">
          <code
            data-testid="shown-once-value"
            className="min-w-0 flex-1 font-mono text-[13px] break-all text-ink select-all"
          >
            {value}
          </code>
          <CopyButton value={value} />
        </div>
      </div>
      <p className="flex gap-2 rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-[13px] text-warning">
        <TriangleAlert className="mt-0.5 size-3.5 shrink-0" aria-hidden />
        {warning}
      </p>
    </div>
  );
}
