/**
 * What the browser spent a measured interaction on, for `BENCH_PROFILE=1`: a V8 CPU profile
 * (self time per function, so the hot code is named) and a timeline trace (style, layout,
 * paint and the longest main-thread tasks), both through the page's DevTools protocol.
 */
import { writeFileSync } from 'node:fs';
import type { CDPSession, Page } from '@playwright/test';

type TProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
};
type TCpuProfile = { nodes: TProfileNode[]; samples: number[]; timeDeltas: number[] };
type TTraceEvent = { name: string; ph: string; dur?: number; tid: number; pid: number; args?: { name?: string } };

export type TDragProfile = { stop: () => Promise<string[]> };

/** `traceFile`: where to also write the raw trace events (open it in chrome://tracing or Perfetto). */
export async function startProfile(page: Page, traceFile?: string): Promise<TDragProfile> {
  const session: CDPSession = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  const events: TTraceEvent[] = [];
  session.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TTraceEvent[])));
  await session.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink.user_timing',
    transferMode: 'ReportEvents',
  });
  return {
    stop: async () => {
      const { profile } = (await session.send('Profiler.stop')) as { profile: TCpuProfile };
      const done = new Promise<void>((resolve) => session.once('Tracing.tracingComplete', () => resolve()));
      await session.send('Tracing.end');
      await done;
      await session.detach();
      if (traceFile) writeFileSync(traceFile, JSON.stringify({ traceEvents: events }));
      return [...summarizeProfile(profile), ...summarizeTrace(events)];
    },
  };
}

function summarizeProfile(profile: TCpuProfile): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    total += ms;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.split('/').pop()}:${lineNumber + 1}` : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + ms);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return [
    `  JS busy ${total.toFixed(0)} ms; most self time:`,
    ...top.map(([name, ms]) => `    ${ms.toFixed(1).padStart(7)} ms  ${name}`),
  ];
}

function summarizeTrace(events: TTraceEvent[]): string[] {
  // The page's main thread, named in the trace's metadata events.
  const mains = new Set(
    events
      .filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}:${event.tid}`),
  );
  const complete = events.filter(
    (event) => event.ph === 'X' && event.dur !== undefined && mains.has(`${event.pid}:${event.tid}`),
  );
  const totals = new Map<string, number>();
  for (const event of complete)
    if (
      [
        'UpdateLayoutTree',
        'Layout',
        'Paint',
        'PrePaint',
        'Layerize',
        'HitTest',
        'FunctionCall',
        'EventDispatch',
        'RecalculateStyles',
      ].includes(event.name)
    )
      totals.set(event.name, (totals.get(event.name) ?? 0) + event.dur! / 1000);
  const tasks = complete
    .filter((event) => event.name === 'RunTask')
    .map((event) => event.dur! / 1000)
    .sort((a, b) => b - a);
  return [
    `  timeline: ${[...totals].map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ')}`,
    `  main-thread tasks over 16 ms: ${tasks.filter((ms) => ms > 16).length}; longest: ${tasks
      .slice(0, 8)
      .map((ms) => ms.toFixed(0))
      .join(', ')} ms`,
  ];
}
