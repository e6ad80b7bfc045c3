'use client';

import { useState } from 'react';
import { cx } from '@/components/ui/cx';

/** The markers the runtime writes into stored values (server/runtime/interpreter). */
const REDACTED = '[redacted]';
const SECRET_MASK = '••••••';
const ARRAY_PAGE = 100;
const LONG_TEXT = 400;

function isTruncatedMarker(value: unknown): value is { $truncated: true; originalBytes?: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { $truncated?: unknown }).$truncated === true
  );
}

function Marker({ children, title }: { children: string; title: string }) {
  return (
    <span
      title={title}
      className="rounded border border-warning/30 bg-warning-soft px-1 font-sans text-[11px] font-medium text-warning"
    >
      {children}
    </span>
  );
}

function Text({ value }: { value: string }) {
  const [full, setFull] = useState(false);
  if (value === REDACTED)
    return <Marker title="Hidden by settings.redact or because the key looks like a secret">redacted</Marker>;
  const shown = full || value.length <= LONG_TEXT ? value : `${value.slice(0, LONG_TEXT)}…`;
  const parts = shown.split(SECRET_MASK);
  return (
    <span className="break-all text-success">
      &quot;
      {parts.map((part, index) => (
        <span key={index}>
          {index > 0 && <Marker title="A secret's value, masked">secret</Marker>}
          {part}
        </span>
      ))}
      &quot;
      {value.length > LONG_TEXT && (
        <button
          type="button"
          className="ml-1 font-sans text-[11px] text-accent underline"
          onClick={() => setFull(!full)}
        >
          {full ? 'less' : `all ${value.length} characters`}
        </button>
      )}
    </span>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === 'string') return <Text value={value} />;
  if (value === null || value === undefined) return <span className="text-ink-faint">null</span>;
  if (typeof value === 'number') return <span className="text-accent">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="text-warning">{String(value)}</span>;
  return <span>{JSON.stringify(value)}</span>;
}

function Node({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const [limit, setLimit] = useState(ARRAY_PAGE);
  const label = name === null ? null : <span className="text-ink-muted">{name}: </span>;
  if (isTruncatedMarker(value)) {
    return (
      <div>
        {label}
        <Marker title="Cut to keep the snapshot under its size cap">{`truncated${typeof value.originalBytes === 'number' ? ` · ${value.originalBytes.toLocaleString('en')} bytes` : ''}`}</Marker>
      </div>
    );
  }
  if (typeof value !== 'object' || value === null) {
    return (
      <div>
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value);
  const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div>
        {label}
        <span className="text-ink-faint">{brackets.join('')}</span>
      </div>
    );
  }
  return (
    <details open={depth < 2} className="group">
      <summary className="cursor-pointer list-none marker:hidden">
        <span className="mr-1 inline-block w-3 text-ink-faint group-open:rotate-90">›</span>
        {label}
        <span className="text-ink-faint">
          {brackets[0]}
          <span className="group-open:hidden">
            {' '}
            {entries.length} {Array.isArray(value) ? 'items' : 'keys'} {brackets[1]}
          </span>
        </span>
      </summary>
      <div className="ml-4 border-l border-line pl-3">
        {entries.slice(0, limit).map(([key, item]) => (
          <Node key={key} name={key} value={item} depth={depth + 1} />
        ))}
        {entries.length > limit && (
          <button
            type="button"
            className="font-sans text-[12px] text-accent underline"
            onClick={() => setLimit(limit + ARRAY_PAGE)}
          >
            show {Math.min(ARRAY_PAGE, entries.length - limit)} more of {entries.length - limit}
          </button>
        )}
      </div>
      <span className="text-ink-faint">{brackets[1]}</span>
    </details>
  );
}

/**
 * A JSON value as a collapsible tree. Values the runtime hid are marked instead of shown as
 * plain text: `[redacted]` (settings.redact or a secret-looking key), masked secrets inside
 * text, and `{"$truncated": true}` where a snapshot was cut at its size cap.
 */
export function JsonView({ value, className, label }: { value: unknown; className?: string; label?: string }) {
  return (
    <div
      className={cx(
        'overflow-x-auto rounded-md border border-line bg-canvas p-3 font-mono text-[12px] leading-5 text-ink',
        className,
      )}
      aria-label={label}
      role="group"
    >
      <Node name={null} value={value} depth={0} />
    </div>
  );
}
