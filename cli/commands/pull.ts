import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PipewrightClient, TWorkflow } from '../client';
import type { TCliIo } from '../cli-io';
import { definitionOf, withTags } from '../documents/canonical-document';
import type { TDocumentFormat } from '../documents/read-document';
import { documentText } from '../documents/write-document';
import { CliUsageError, EXIT, type TExitCode } from '../exit-codes';
import { printJson, relativeFile } from '../output';

export type TPullOptions = { all?: boolean; out?: string; format?: string; json?: boolean };
type TPulled = {
  key: string;
  file: string | null;
  version: number | null;
  outcome: 'written' | 'unchanged' | 'no versions';
};

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Where a workflow's file goes: an existing `<key>.json|yaml|yml` keeps its name and format. */
async function targetFile(
  folder: string,
  key: string,
  format: TDocumentFormat,
): Promise<{ file: string; format: TDocumentFormat; text: string | null }> {
  for (const [extension, existingFormat] of [
    ['json', 'json'],
    ['yaml', 'yaml'],
    ['yml', 'yaml'],
  ] as const) {
    const file = path.join(folder, `${key}.${extension}`);
    const text = await readIfExists(file);
    if (text !== null) return { file, format: existingFormat, text };
  }
  return { file: path.join(folder, `${key}.${format === 'json' ? 'json' : 'yaml'}`), format, text: null };
}

/**
 * Writes the workflow's latest published version (its draft when nothing is published) as
 * `<key>.<ext>`: the definition only (no version number or status, which would make every
 * publish a change in git), in the canonical order; an identical file is left untouched.
 */
async function pullOne(
  client: PipewrightClient,
  workflow: TWorkflow,
  folder: string,
  format: TDocumentFormat,
): Promise<TPulled> {
  const version = workflow.latestVersion ?? workflow.draftVersion;
  if (version === null) return { key: workflow.key, file: null, version: null, outcome: 'no versions' };
  const document = await client.getVersion(workflow.key, version);
  const target = await targetFile(folder, workflow.key, format);
  // The workflow's tags ride in the file (as in the UI's export) so a push gives them back.
  const text = documentText(definitionOf(withTags(document, workflow.tags)), target.format);
  if (target.text === text) return { key: workflow.key, file: target.file, version, outcome: 'unchanged' };
  await writeFile(target.file, text);
  return { key: workflow.key, file: target.file, version, outcome: 'written' };
}

/** `pipewright pull <key> | --all [--out dir] [--format json|yaml]`: version documents into files, one per workflow. */
export async function pullCommand(
  client: PipewrightClient,
  key: string | undefined,
  options: TPullOptions,
  io: TCliIo,
): Promise<TExitCode> {
  if (!key && !options.all) throw new CliUsageError('Name a workflow key, or pass --all for every workflow.');
  if (key && options.all) throw new CliUsageError('Name a workflow key or pass --all, not both.');
  const format = (options.format ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'yaml')
    throw new CliUsageError(`--format is json or yaml, not "${options.format}".`);
  const folder = path.resolve(io.cwd, options.out ?? '.');
  await mkdir(folder, { recursive: true });
  const workflows = key ? [await client.getWorkflow(key)] : await client.listAllWorkflows();
  const pulled: TPulled[] = [];
  for (const workflow of workflows) {
    const result = await pullOne(client, workflow, folder, format);
    pulled.push(result);
    if (options.json) continue;
    const where = result.file ? ` ${relativeFile(result.file, io.cwd)}` : '';
    io.out(`${result.key}: ${result.outcome}${result.version ? ` v${result.version}` : ''}${where}\n`);
  }
  if (options.json)
    printJson(io, { pulled: pulled.map((p) => ({ ...p, file: p.file && relativeFile(p.file, io.cwd) })) });
  return EXIT.ok;
}
