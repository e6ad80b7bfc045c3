import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';

/** A child that watches its parent: prints "watching" with its pid, "orphaned" when its parent goes, then exits. */
const CHILD = `
  import { watchParent } from './scripts/lib/parent-watch.ts';
  watchParent(() => { console.log('orphaned'); process.exit(0); }, 50);
  console.log('watching ' + process.pid);
  setInterval(() => {}, 1000); // stays alive, as the supervisor does with its children
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('notices when the shell that started it is killed, as npm start’s sh is by a SIGTERM to npm', async () => {
  // "; true" keeps the shell from exec'ing node in its place: it stays the parent, as npm's sh does.
  const shell = spawn('sh', ['-c', '"$NODE" --import tsx --input-type=module -e "$CHILD"; true'], {
    env: { ...process.env, NODE: process.execPath, CHILD },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const waitFor = async (pattern: RegExp) => {
    const deadline = Date.now() + 20_000;
    while (!pattern.test(output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return pattern.exec(output);
  };
  const watching = await waitFor(/watching (\d+)/);
  expect(watching, output).not.toBeNull();
  const child = Number(watching![1]);
  expect(output).not.toContain('orphaned');
  shell.kill('SIGKILL'); // nothing reaches the child
  expect(await waitFor(/orphaned/), output).not.toBeNull();
  const deadline = Date.now() + 5_000;
  while (alive(child) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(alive(child)).toBe(false);
});
