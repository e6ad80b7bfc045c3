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
type TCpuProfile = { nodes: TProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
type TTraceEvent = {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread time: CPU the thread spent in the event (dur is wall time, which includes waiting for a core). */
  tdur?: number;
  tid: number;
  pid: number;
  args?: { name?: string; data?: Record<string, unknown>; elementCount?: number; beginData?: Record<string, unknown> };
};

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
    categories: [
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      'disabled-by-default-devtools.timeline.frame',
      'blink.user_timing',
      'v8.execute',
    ].join(','),
    transferMode: 'ReportEvents',
  });
  return {
    stop: async () => {
      const { profile } = (await session.send('Profiler.stop')) as { profile: TCpuProfile };
      const done = new Promise<void>((resolve) => session.once('Tracing.tracingComplete', () => resolve()));
      await session.send('Tracing.end');
      await done;
      await session.detach();
      if (traceFile) {
        writeFileSync(traceFile, JSON.stringify({ traceEvents: events }));
        writeFileSync(traceFile.replace(/\.json$/, '.cpuprofile'), JSON.stringify(profile));
      }
      return [...summarizeProfile(profile), ...summarizeTrace(events), ...slowFrames(events, profile)];
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

/** The browser's rendering phases after script: style, layout, paint and handing the frame to the compositor. */
const RENDERING = ['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit'];

/** Events of one name, without those inside another of the same name (a layer's Paint inside the document's). */
function outermost(events: TTraceEvent[], name: string): TTraceEvent[] {
  let end = -Infinity;
  return events
    .filter((event) => event.name === name)
    .sort((a, b) => a.ts - b.ts)
    .filter((event) => {
      if (event.ts < end) return false;
      end = event.ts + (event.dur ?? 0);
      return true;
    });
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
  // Thread time beside wall time: on a shared machine a phase's wall time includes the time the
  // renderer waited for a core; its CPU time is the browser's own work, comparable across runs.
  const cpu = new Map(
    RENDERING.map((name) => [name, outermost(complete, name).reduce((ms, event) => ms + (event.tdur ?? 0) / 1000, 0)]),
  );
  const renderingCpu = [...cpu.values()].reduce((a, b) => a + b, 0);
  const mainCpu = complete
    .filter((event) => event.name === 'RunTask')
    .reduce((sum, event) => sum + (event.tdur ?? 0) / 1000, 0);
  const tasks = complete
    .filter((event) => event.name === 'RunTask')
    .map((event) => event.dur! / 1000)
    .sort((a, b) => b - a);
  const { liftCpu, dropCpu } = liftAndDrop(complete);
  return [
    `  lift task CPU ${liftCpu.toFixed(1)} ms; from the mouseup on, CPU ${dropCpu.toFixed(1)} ms`,
    `  timeline: ${[...totals].map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ')}`,
    `  main-thread CPU ${mainCpu.toFixed(0)} ms; rendering CPU ${renderingCpu.toFixed(0)} ms: ${RENDERING.map((name) => `${name} ${(cpu.get(name) ?? 0).toFixed(0)}`).join(', ')}`,
    `  main-thread tasks over 16 ms: ${tasks.filter((ms) => ms > 16).length}; longest: ${tasks
      .slice(0, 8)
      .map((ms) => ms.toFixed(0))
      .join(', ')} ms`,
  ];
}

/**
 * The lift's and the drop's main-thread CPU (thread time, so a busy machine inflates it less than
 * wall time): the lift is the task holding the costliest mousemove (the library lifts in its
 * mousemove listener, and renders that frame's React work there too); the drop is every task from
 * the mouseup's on (the library's drop, our move's re-render, the frames until the bench sees
 * the card in its new pipe).
 */
function liftAndDrop(complete: TTraceEvent[]): { liftCpu: number; dropCpu: number } {
  const tasks = complete.filter((event) => event.name === 'RunTask');
  const taskAt = (event: TTraceEvent) =>
    tasks.find((task) => task.ts <= event.ts && event.ts < task.ts + (task.dur ?? 0) && task.tid === event.tid);
  const dispatches = (type: string) =>
    complete.filter((event) => event.name === 'EventDispatch' && event.args?.data?.type === type);
  const lift = dispatches('mousemove').sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0))[0];
  const up = dispatches('mouseup').sort((a, b) => a.ts - b.ts)[0];
  return {
    liftCpu: ((lift && taskAt(lift)?.tdur) ?? 0) / 1000,
    dropCpu: up
      ? tasks
          .filter((task) => task.ts >= (taskAt(up)?.ts ?? up.ts))
          .reduce((ms, task) => ms + (task.tdur ?? 0) / 1000, 0)
      : 0,
  };
}

const FRAME_MS = 1000 / 60 + 0.5;
const BREAKDOWN = [
  'FunctionCall',
  'EventDispatch',
  'FireAnimationFrame',
  'TimerFire',
  'UpdateLayoutTree',
  'Layout',
  'PrePaint',
  'Paint',
  'Layerize',
  'HitTest',
  'ParseHTML',
  'MinorGC',
  'MajorGC',
  'V8.GC_SCAVENGER',
];

/**
 * The frames of the drag that took longer than one at 60 Hz, each with what filled it on the
 * main thread: the tasks in it, their style recalcs (and how many elements each restyled),
 * layouts (how many objects), paints, event handlers and rAF callbacks, and the functions the
 * CPU profile sampled in it (self time, and the script's location, as the build is minified).
 * A frame is the time between two starts of rAF callbacks (the bench's own rAF ticks every frame).
 */
function slowFrames(events: TTraceEvent[], profile: TCpuProfile): string[] {
  const mains = new Set(
    events
      .filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}:${event.tid}`),
  );
  const main = events.filter((event) => mains.has(`${event.pid}:${event.tid}`) && event.ph === 'X');
  const rafStarts = main
    .filter((event) => event.name === 'FireAnimationFrame')
    .map((event) => event.ts)
    .sort((a, b) => a - b);
  const frameStarts: number[] = [];
  for (const ts of rafStarts) if (!frameStarts.length || ts - frameStarts.at(-1)! > 4000) frameStarts.push(ts);
  // CPU profile samples on the trace's clock (both are monotonic microseconds).
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const sampleTimes: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) sampleTimes.push((t += delta));
  const lines: string[] = [];
  const gaps = frameStarts.slice(1).map((ts, i) => (ts - frameStarts[i]!) / 1000);
  lines.push(
    `  frames by the trace: ${frameStarts.length}, mean gap ${(gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length)).toFixed(1)} ms; over ${FRAME_MS.toFixed(1)} ms: ${gaps.filter((gap) => gap > FRAME_MS).length}`,
  );
  frameStarts.slice(1).forEach((end, i) => {
    const start = frameStarts[i]!;
    const gap = (end - start) / 1000;
    if (gap <= FRAME_MS) return;
    const inside = main.filter((event) => event.ts >= start && event.ts < end);
    const totals = new Map<string, { ms: number; n: number; detail: string[] }>();
    for (const event of inside) {
      if (!BREAKDOWN.includes(event.name)) continue;
      const entry = totals.get(event.name) ?? { ms: 0, n: 0, detail: [] };
      entry.ms += (event.dur ?? 0) / 1000;
      entry.n++;
      const data = event.args?.data ?? event.args?.beginData ?? {};
      const count = (event.args?.elementCount ?? data.elementCount) as number | undefined;
      if (event.name === 'UpdateLayoutTree' && count !== undefined) entry.detail.push(`${count}el`);
      if (event.name === 'Layout' && data.dirtyObjects !== undefined)
        entry.detail.push(`${String(data.dirtyObjects)}obj`);
      if (event.name === 'EventDispatch' && data.type) entry.detail.push(String(data.type));
      if (event.name === 'TimerFire') entry.detail.push('timer');
      if (event.name === 'FunctionCall' && data.functionName)
        entry.detail.push(
          `${String(data.functionName)}@${String(data.url ?? '')
            .split('/')
            .pop()}`,
        );
      totals.set(event.name, entry);
    }
    const tasks = inside.filter((event) => event.name === 'RunTask' && (event.dur ?? 0) > 2000);
    lines.push(
      `  slow frame at +${((start - frameStarts[0]!) / 1000).toFixed(0)} ms: ${gap.toFixed(1)} ms; tasks > 2 ms: ${tasks
        .map((task) => `${((task.dur ?? 0) / 1000).toFixed(1)}`)
        .join(', ')}`,
    );
    for (const [name, { ms, n, detail }] of totals)
      if (ms >= 0.3)
        lines.push(
          `      ${name} ${ms.toFixed(1)} ms ×${n}${detail.length ? ` (${[...new Set(detail)].slice(0, 6).join(' ')})` : ''}`,
        );
    const self = new Map<string, number>();
    profile.samples.forEach((id, k) => {
      const at = sampleTimes[k]!;
      if (at < start || at >= end) return;
      const node = byId.get(id);
      if (!node || ['(idle)', '(program)'].includes(node.callFrame.functionName)) return;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = `${functionName || '(anon)'} ${url.split('/').pop()}:${lineNumber + 1}:${(node.callFrame as { columnNumber?: number }).columnNumber ?? ''}`;
      self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000);
    });
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 6);
    if (top.length) lines.push(`      JS self: ${top.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join('; ')}`);
  });
  return lines;
}
