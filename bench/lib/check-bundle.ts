/**
 * The problem check of a checkout as one JavaScript module, for timing two versions of it side
 * by side in one process (bench/check-definition.ts): each bundle has its own registries and
 * caches, and both run as plain JavaScript (packages stay imports of this tree's node_modules).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleAppModule } from '@/scripts/lib/build-worker';
import type { TValidationResult } from '@/server/workflows/validation/validate-definition';
import type { TWorkflowResolver } from '@/server/workflows/validation/workflow-resolver';

export type TCheckModule = {
  validateDefinition: (input: { document: unknown; resolver: TWorkflowResolver }) => Promise<TValidationResult>;
  clearCheckCaches: () => void;
};

const ENTRY = path.join('bench', 'lib', 'check-entry.ts');
/** For a checkout from before bench/lib/check-entry.ts: its check, and the one cache it had. */
const OLD_ENTRY = `export { validateDefinition } from '@/server/workflows/validation/validate-definition';
export { clearExpressionReadsCache as clearCheckCaches } from '@/model/designer/expression-reads';
`;

async function bundleCheck(root: string, name: string): Promise<TCheckModule> {
  let entry = ENTRY;
  if (!existsSync(path.join(root, ENTRY))) {
    entry = 'bench-check-entry.ts';
    writeFileSync(path.join(root, entry), OLD_ENTRY);
  }
  // Inside this tree, so the bundle's package imports resolve to its node_modules.
  const outfile = path.resolve('.next', `bench-check-${name}`, 'check.mjs');
  mkdirSync(path.dirname(outfile), { recursive: true });
  await bundleAppModule({ root, entry, outfile });
  return (await import(pathToFileURL(outfile).href)) as TCheckModule;
}

/** The check of the sources as they are. */
export function bundleCurrentCheck(): Promise<TCheckModule> {
  return bundleCheck(process.cwd(), 'now');
}

/** The check of git revision `rev` (from `git archive`). */
export async function bundleCheckOfRev(rev: string): Promise<TCheckModule> {
  const root = mkdtempSync(path.join(tmpdir(), 'pipewright-bench-check-src-'));
  try {
    execFileSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(rev)} | tar -x -C ${JSON.stringify(root)}`]);
    symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
    return await bundleCheck(root, 'before');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
