import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildNeeded, nextBuild } from './build';

const roots: string[] = [];

/** A project folder whose `next build` is a script that writes BUILD_ID, touching `edit` first if given. */
function project({ editDuringBuild }: { editDuringBuild?: string } = {}): string {
  const root = path.join(tmpdir(), `pw-build-${process.pid}-${roots.length}`);
  roots.push(root);
  const bin = path.join(root, 'node_modules', 'next', 'dist', 'bin');
  mkdirSync(bin, { recursive: true });
  for (const dir of ['app', 'components', 'server', 'model', 'migrations']) mkdirSync(path.join(root, dir));
  const edit = editDuringBuild ? JSON.stringify(path.join(root, editDuringBuild)) : 'null';
  writeFileSync(
    path.join(bin, 'next'),
    `const fs = require('node:fs');
     const path = require('node:path');
     const wait = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
     wait(50);
     if (${edit}) fs.writeFileSync(${edit}, 'saved while the build ran');
     wait(50);
     fs.mkdirSync('.next', { recursive: true });
     fs.writeFileSync(path.join('.next', 'BUILD_ID'), 'built');`,
  );
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the production build', () => {
  it('is current after a build when nothing changed meanwhile', () => {
    const root = project();
    expect(buildNeeded(root)).toBe('no build exists yet');
    nextBuild({ root, env: process.env });
    expect(buildNeeded(root)).toBeNull();
  });

  it('is stale when a source was saved while it was being built', () => {
    const root = project({ editDuringBuild: 'components/page.tsx' });
    nextBuild({ root, env: process.env });
    expect(buildNeeded(root)).toBe('the sources changed since the last build');
  });

  it('is stale when code under model/ changed since, as the browser and server both import it', () => {
    const root = project();
    nextBuild({ root, env: process.env });
    const later = new Date(Date.now() + 2_000);
    writeFileSync(path.join(root, 'model', 'step.ts'), '');
    utimesSync(path.join(root, 'model', 'step.ts'), later, later);
    expect(buildNeeded(root)).toBe('the sources changed since the last build');
  });
});
