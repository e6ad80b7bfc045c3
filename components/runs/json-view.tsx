'use client';

import { useMemo } from 'react';
import { defaultStyles, JsonView as JsonTree } from 'react-json-view-lite';
import 'react-json-view-lite/dist/index.css';
import { cx } from '@/components/ui/cx';

/** The markers the runtime writes into stored values (server/runtime/interpreter). */
const REDACTED = '[redacted]';
const SECRET_MASK = '••••••';

function isTruncatedMarker(value: unknown): value is { $truncated: true; originalBytes?: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { $truncated?: unknown }).$truncated === true
  );
}

/** The value with each size-cap marker as a readable text, and which markers it holds. */
function prepare(value: unknown, found: Set<string>): unknown {
  if (isTruncatedMarker(value)) {
    found.add('truncated');
    const bytes = typeof value.originalBytes === 'number' ? ` · ${value.originalBytes.toLocaleString('en')} bytes` : '';
    return `‹truncated${bytes}›`;
  }
  if (typeof value === 'string') {
    if (value === REDACTED) found.add('redacted');
    if (value.includes(SECRET_MASK)) found.add('secret');
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => prepare(item, found));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, prepare(item, found)]));
  return value;
}

const LEGEND: Record<string, string> = {
  redacted: `${REDACTED}: hidden by settings.redact, or because the key looks like a secret`,
  secret: `${SECRET_MASK}: a secret's value, masked`,
  truncated: '‹truncated›: cut to keep the snapshot under its size cap',
};

const expandTwoLevels = (level: number) => level < 2;

const STYLES = {
  ...defaultStyles,
  container: 'bg-transparent',
  label: 'mr-1 text-ink-muted',
  stringValue: 'break-all text-success',
  numberValue: 'text-accent',
  booleanValue: 'text-warning',
  nullValue: 'text-ink-faint',
  undefinedValue: 'text-ink-faint',
  punctuation: 'text-ink-faint',
  ariaLables: { collapseJson: 'Collapse', expandJson: 'Expand' },
};

/**
 * A JSON value as a collapsible tree (react-json-view-lite: two levels open, deeper ones
 * collapsed with their contents elided). Values the runtime hid are named under the tree:
 * `[redacted]` (settings.redact or a secret-looking key), masked secrets inside text, and
 * `{"$truncated": true}` where a snapshot was cut at its size cap.
 */
export function JsonView({ value, className, label }: { value: unknown; className?: string; label?: string }) {
  // Kept while the value's content is the same: the tree re-decides which nodes are open when
  // its data changes, so a live page's next poll (new objects, same JSON) must not collapse
  // what the person opened.
  const text = JSON.stringify(value) ?? 'null';
  const { prepared, found } = useMemo(() => {
    const markers = new Set<string>();
    return { prepared: prepare(JSON.parse(text) as unknown, markers), found: markers };
  }, [text]);
  return (
    <div
      className={cx(
        'overflow-x-auto rounded-md border border-line bg-canvas p-3 font-mono text-[12px] leading-5 text-ink',
        className,
      )}
      aria-label={label}
      role="group"
    >
      {typeof prepared === 'object' && prepared !== null ? (
        <JsonTree data={prepared} shouldExpandNode={expandTwoLevels} style={STYLES} />
      ) : (
        <span className={typeof prepared === 'string' ? 'break-all text-success' : 'text-accent'}>
          {JSON.stringify(prepared) ?? 'null'}
        </span>
      )}
      {found.size > 0 && (
        <ul className="mt-2 border-t border-line pt-1 font-sans text-[11px] text-warning" aria-label="Hidden values">
          {[...found].map((marker) => (
            <li key={marker}>{LEGEND[marker]}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
