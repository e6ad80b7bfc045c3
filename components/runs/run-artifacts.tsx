'use client';

import { useEffect, useState } from 'react';
import { Card } from '@/components/ui/card';
import {
  formatArtifactSize,
  isInlineImage,
  isTextPreviewable,
  ZArtifactRecord,
  type TArtifactRecord,
} from '@/model/artifacts/artifact-ref';
import { isTerminal, type TRunStatus } from '@/model/run-status';
import { z } from 'zod';

/** The first bytes of a text artifact shown on the page: enough to recognise it, never the whole file. */
export const PREVIEW_BYTES = 4096;
const POLL_MS = 3000;

const ZArtifactPage = z.object({ items: z.array(ZArtifactRecord), nextCursor: z.string().nullable() });

/**
 * Reads at most PREVIEW_BYTES of the download and cancels the rest: a 25 MB file costs the
 * browser 4 KB. Shown as text (React escapes it), never rendered as HTML.
 */
async function readExcerpt(url: string, signal: AbortSignal): Promise<{ text: string; truncated: boolean }> {
  const response = await fetch(url, { signal, headers: { accept: '*/*' } });
  if (!response.ok || !response.body) throw new Error(`the download answered ${response.status}`);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    chunks.push(next.value);
    size += next.value.byteLength;
    if (size >= PREVIEW_BYTES) {
      truncated = size > PREVIEW_BYTES || !(await reader.read()).done;
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, PREVIEW_BYTES));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  // A character cut by the limit decodes as U+FFFD at the very end.
  const text = new TextDecoder('utf-8').decode(bytes);
  return { text: truncated ? text.replace(/\uFFFD$/, '') : text, truncated };
}

function TextPreview({ artifact }: { artifact: TArtifactRecord }) {
  const [excerpt, setExcerpt] = useState<{ text: string; truncated: boolean } | { error: string } | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    readExcerpt(artifact.url, controller.signal).then(setExcerpt, (error: unknown) => {
      if (!controller.signal.aborted) setExcerpt({ error: error instanceof Error ? error.message : String(error) });
    });
    return () => controller.abort();
  }, [artifact.url]);
  if (!excerpt) return <p className="text-[12px] text-ink-faint">Loading preview…</p>;
  if ('error' in excerpt) return <p className="text-[12px] text-danger">No preview: {excerpt.error}</p>;
  return (
    <div>
      <pre
        data-testid="artifact-text-preview"
        className="max-h-48 overflow-auto rounded-md border border-line bg-canvas p-2 font-mono text-[12px] break-all whitespace-pre-wrap text-ink"
      >
        {excerpt.text}
      </pre>
      {excerpt.truncated && (
        <p className="mt-1 text-[11px] text-ink-faint">
          First {formatArtifactSize(PREVIEW_BYTES)} of {formatArtifactSize(artifact.size)}; download for the rest.
        </p>
      )}
    </div>
  );
}

function ArtifactRow({ artifact }: { artifact: TArtifactRecord }) {
  return (
    <li className="flex flex-col gap-2 px-4 py-3" data-testid="artifact-row">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <div className="min-w-0">
          <a
            href={artifact.url}
            download={artifact.name}
            className="font-mono text-[13px] break-all text-accent underline-offset-2 hover:underline"
          >
            {artifact.name}
          </a>
          <p className="mt-0.5 text-[12px] break-all text-ink-faint">
            {artifact.contentType} · from step <code className="font-mono">{artifact.stepId}</code>
          </p>
        </div>
        <span className="shrink-0 text-[12px] text-ink-muted tabular-nums">{formatArtifactSize(artifact.size)}</span>
      </div>
      {isInlineImage(artifact.contentType) ? (
        // A plain img: our own API streams it (session cookie, same origin); next/image would proxy it.
        <img
          src={`${artifact.url}?disposition=inline`}
          alt={`Preview of ${artifact.name}`}
          className="max-h-48 max-w-full self-start rounded-md border border-line bg-canvas object-contain"
        />
      ) : isTextPreviewable(artifact.contentType) ? (
        <TextPreview artifact={artifact} />
      ) : null}
    </li>
  );
}

/**
 * The run's files (SPEC §11): name (the download link), type, size, the step that made it,
 * and a preview for text (the first 4 KB) and raster images. While the run goes on the list
 * is read again every few seconds, until the run has ended.
 */
export function RunArtifacts({
  runId,
  initial,
  initialStatus,
}: {
  runId: string;
  initial: TArtifactRecord[];
  initialStatus: TRunStatus;
}) {
  const [artifacts, setArtifacts] = useState(initial);
  const [live, setLive] = useState(!isTerminal(initialStatus));
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(async () => {
      if (document.visibilityState !== 'visible') return;
      const [list, run] = await Promise.all([
        fetch(`/api/v1/runs/${runId}/artifacts?limit=200`).then((r) => (r.ok ? r.json() : null)),
        fetch(`/api/v1/runs/${runId}`).then((r) => (r.ok ? r.json() : null)),
      ]);
      const page = ZArtifactPage.safeParse(list);
      if (page.success) setArtifacts(page.data.items);
      const status = (run as { status?: TRunStatus } | null)?.status;
      if (status && isTerminal(status)) setLive(false);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [live, runId]);
  if (artifacts.length === 0 && !live) return null;
  return (
    <Card className="min-w-0 overflow-hidden" data-testid="run-artifacts">
      <div className="flex items-center justify-between gap-3 border-b border-line px-4 py-2.5">
        <h2 className="text-sm font-semibold text-ink">Artifacts</h2>
        <span className="text-[12px] text-ink-faint">
          {artifacts.length} {artifacts.length === 1 ? 'file' : 'files'}
        </span>
      </div>
      {artifacts.length === 0 ? (
        <p className="p-4 text-sm text-ink-muted">No files yet.</p>
      ) : (
        <ul className="divide-y divide-line">
          {artifacts.map((artifact) => (
            <ArtifactRow key={artifact.id} artifact={artifact} />
          ))}
        </ul>
      )}
    </Card>
  );
}
