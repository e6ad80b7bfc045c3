'use client';

import { X } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { TBulkAnswerResult } from '@/server/tasks/answer-tasks-in-bulk';

export type TBulkOutcome = TBulkAnswerResult & { title: string };

/** The bar shown while tasks are selected: choose an outcome, answer them all, or clear. */
export function InboxBulkBar({
  count,
  outcomes,
  pending,
  error,
  onAnswer,
  onClear,
}: {
  count: number;
  outcomes: string[];
  pending: boolean;
  error: string | null;
  onAnswer: (outcome: string) => void;
  onClear: () => void;
}) {
  const [outcome, setOutcome] = useState(outcomes[0] ?? '');
  const current = outcomes.includes(outcome) ? outcome : (outcomes[0] ?? '');
  return (
    <div
      className="flex flex-wrap items-center gap-2 rounded-lg border border-accent/30 bg-accent-soft/40 px-3 py-2 text-sm"
      role="region"
      aria-label="Bulk answer"
    >
      <span className="font-medium" data-testid="bulk-count">
        {count} selected
      </span>
      <label htmlFor="bulk-outcome" className="text-ink-muted">
        Answer
      </label>
      <select
        id="bulk-outcome"
        value={current}
        onChange={(event) => setOutcome(event.target.value)}
        className="rounded-md border border-line bg-surface px-2 py-1 text-sm"
      >
        {outcomes.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      <Button size="sm" variant="primary" loading={pending} onClick={() => onAnswer(current)}>
        Answer {count} {count === 1 ? 'task' : 'tasks'}
      </Button>
      <Button size="sm" variant="ghost" onClick={onClear} disabled={pending}>
        Clear
      </Button>
      {error && <FormError message={error} />}
    </div>
  );
}

/** What a bulk answer did, task by task: answered (decided, or waiting for others) or why not. */
export function InboxBulkResults({ results, onClose }: { results: TBulkOutcome[]; onClose: () => void }) {
  const answered = results.filter((result) => result.ok).length;
  return (
    <div className="rounded-lg border border-line bg-surface px-3 py-2 text-sm" role="status" data-bulk-results>
      <div className="flex items-center justify-between gap-2">
        <p className="font-medium">
          {answered} of {results.length} answered
          {answered < results.length ? `; ${results.length - answered} refused` : ''}
        </p>
        <button type="button" onClick={onClose} className="text-ink-faint hover:text-ink" aria-label="Close results">
          <X className="size-4" aria-hidden />
        </button>
      </div>
      <ul className="mt-2 flex flex-col gap-1.5">
        {results.map((result) => (
          <li key={result.id} className="flex min-w-0 flex-wrap items-baseline gap-x-2" data-bulk-result={result.id}>
            <Badge tone={result.ok ? 'success' : 'danger'}>{result.ok ? 'answered' : 'refused'}</Badge>
            <Link href={`/inbox/${result.id}`} className="min-w-0 truncate font-medium hover:underline">
              {result.title}
            </Link>
            <span className="min-w-0 break-words text-ink-muted">
              {result.ok
                ? result.outcome
                  ? `decided: ${result.outcome}`
                  : 'recorded; waiting for others'
                : result.message}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
