/** Percentiles of a sample, for benchmark tables. */
export type TStats = { n: number; p50: number; p95: number; p99: number; max: number };

export function percentiles(samples: readonly number[]): TStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { n: samples.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

const ms = (v: number) => `${v.toFixed(1).padStart(7)} ms`;

/** One table line: a name, its latency percentiles, and optionally what it is held to. */
export function latencyRow(name: string, s: TStats, target = ''): string {
  return `  ${name.padEnd(50)} n=${String(s.n).padStart(5)}  p50=${ms(s.p50)}  p99=${ms(s.p99)}  max=${ms(s.max)}${target ? `   target ${target}` : ''}`;
}

/** One table line for a single figure with its unit. */
export function figureRow(name: string, value: string, target = ''): string {
  return `  ${name.padEnd(50)} ${value.padStart(16)}${target ? `   target ${target}` : ''}`;
}
