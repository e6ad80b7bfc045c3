import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS } from '@/server/metrics/metric-names';

// The dashboard and alert rules in ops/ name metrics by hand: a renamed metric must fail here,
// not leave an empty panel or an alert that can never fire.
const known = new Set<string>(
  Object.values(METRICS).flatMap((m) =>
    m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
  ),
);
const namesIn = (text: string) => [...text.matchAll(/\bpipewright_[a-z_]+/g)].map((match) => match[0]);

describe('ops/ files', () => {
  it('the Grafana dashboard is JSON whose every query reads metrics the endpoint serves', () => {
    const dashboard = JSON.parse(readFileSync('ops/grafana-dashboard.json', 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels)
      for (const target of panel.targets) {
        expect(namesIn(target.expr).length, panel.title).toBeGreaterThan(0);
        for (const name of namesIn(target.expr)) expect(known.has(name), `${panel.title}: ${name}`).toBe(true);
      }
  });

  it('the Prometheus alert rules read metrics the endpoint serves', () => {
    const rules = readFileSync('ops/prometheus-alerts.yml', 'utf8');
    const exprs = [...rules.matchAll(/expr: (\|\n(?: {10}.*\n)+|.*)/g)].map((match) => match[1]!);
    expect(exprs.length).toBeGreaterThanOrEqual(5);
    for (const expr of exprs) for (const name of namesIn(expr)) expect(known.has(name), name).toBe(true);
  });
});
