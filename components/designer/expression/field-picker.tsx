'use client';

import { Search } from 'lucide-react';
import { useMemo, useState, type ReactNode } from 'react';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Input } from '@/components/ui/input';
import type { TScopeEntry, TScopeSource } from '@/model/designer/expression-scope';
import { usePanelPinnedEnvelope } from '@/components/designer/testing/testing-context';
import { previewValue, valueAtPath } from '@/model/testing/value-at-path';

const TONE: Record<TScopeSource, TBadgeTone> = {
  payload: 'accent',
  vars: 'success',
  env: 'neutral',
  meta: 'neutral',
  error: 'danger',
  binding: 'warning',
};

/** A path that may wrap before each dot (`vars.decision` / `.completedAt`) rather than inside a name. */
function withBreaksAtDots(path: string): ReactNode[] {
  return path.split('.').flatMap((part, index) => (index === 0 ? [part] : [<wbr key={index} />, `.${part}`]));
}

/** The names an expression can read here, searchable; choosing one inserts its path. */
export function FieldPicker({
  id,
  scope,
  onPick,
  initialQuery = '',
}: {
  id: string;
  scope: readonly TScopeEntry[];
  onPick: (path: string) => void;
  /** What was typed of a name before the caret (`vars.`): the list starts filtered by it. */
  initialQuery?: string;
}) {
  const [query, setQuery] = useState(initialQuery);
  const pinned = usePanelPinnedEnvelope();
  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return needle
      ? scope.filter(
          (entry) => entry.path.toLowerCase().includes(needle) || entry.detail.toLowerCase().includes(needle),
        )
      : scope;
  }, [query, scope]);
  return (
    <div className="rounded-md border border-line bg-canvas p-2" role="group" aria-label="Fields available here">
      <div className="relative mb-2">
        <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-ink-faint" aria-hidden />
        <Input
          id={`${id}-search`}
          aria-label="Search fields"
          placeholder="Search payload, vars, env…"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          className="h-8 pl-8 text-[13px]"
          autoFocus
        />
      </div>
      {shown.length === 0 ? (
        <p className="px-1 py-2 text-[13px] text-ink-faint">Nothing matches “{query}”.</p>
      ) : (
        <ul className="max-h-56 overflow-y-auto" aria-label="Fields">
          {shown.map((entry) => (
            <li key={entry.path}>
              <button
                type="button"
                onClick={() => onPick(entry.path)}
                className="flex w-full items-center gap-2 rounded px-1.5 py-1 text-left hover:bg-subtle focus-visible:bg-subtle"
                title={`${entry.path} — ${entry.detail}${entry.maybe ? ' (not on every path)' : ''}`}
              >
                <code className="min-w-0 flex-1 font-mono text-[12px] break-words text-ink">
                  {withBreaksAtDots(entry.path)}
                </code>
                {pinned && <PinnedValue envelope={pinned} path={entry.path} />}
                {entry.maybe && <span className="shrink-0 text-[11px] text-ink-faint">maybe</span>}
                {entry.type && <span className="shrink-0 text-[11px] text-ink-faint">{entry.type}</span>}
                <Badge tone={TONE[entry.source]}>{entry.source === 'binding' ? 'forEach' : entry.source}</Badge>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The value a path had on the pinned run, beside it in the list. */
function PinnedValue({ envelope, path }: { envelope: unknown; path: string }) {
  const { found, value } = valueAtPath(envelope, path);
  if (!found) return null;
  return (
    <span className="max-w-[45%] shrink truncate font-mono text-[11px] text-accent" data-testid="pinned-value">
      {previewValue(value)}
    </span>
  );
}
