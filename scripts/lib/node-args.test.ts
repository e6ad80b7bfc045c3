import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TS_NODE_ARGS } from '@/scripts/lib/node-args';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// A process that loads server modules without the react-server condition dies on its first
// `import 'server-only'`; every place that starts one by hand says so here.
describe('every node process that runs the app TypeScript resolves server-only to its empty module', () => {
  it('TS_NODE_ARGS carries the condition', () => {
    expect(TS_NODE_ARGS).toContain('--conditions=react-server');
  });

  it.each([
    ['package.json', JSON.stringify(JSON.parse(read('package.json')).scripts)],
    ['docker/entrypoint.sh', read('docker/entrypoint.sh')],
    ['playwright.config.ts', read('playwright.config.ts')],
  ])('%s starts tsx with the condition', (_file, text) => {
    const starts = text.match(/\bnode (?!\/app\/bin|\/app\/docker)[^"'`;\n]*/g) ?? [];
    expect(starts.length).toBeGreaterThan(0);
    for (const start of starts) expect(start).toContain('--conditions=react-server');
  });
});
