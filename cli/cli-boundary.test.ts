import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The CLI is what a user runs against a remote server: it must not pull in Next.js, the
// database or anything under server/ (whose modules are also moving). Tests may.
const ALLOWED = new Set(['yaml', 'commander', 'zod', 'tsx/esm/api']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('the CLI imports only its own files, Node and its few libraries', () => {
  it.each([...sourceFiles('cli'), 'bin/pipewright.mjs'])('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g),
    ].map((m) => m[1] ?? m[2]!);
    const outside = specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !ALLOWED.has(s));
    expect(outside).toEqual([]);
    expect(
      specifiers.filter(
        (s) => s.startsWith('.') && path.resolve(path.dirname(file), s).includes(`${path.sep}server${path.sep}`),
      ),
    ).toEqual([]);
  });
});
