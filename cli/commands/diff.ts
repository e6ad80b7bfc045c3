import { PipewrightApiError, type PipewrightClient, type TDocument } from '../client';
import type { TCliIo } from '../cli-io';
import { definitionOf, withTags } from '../documents/canonical-document';
import { diffDocuments, type TDocumentChange } from '../documents/diff-documents';
import { readSourceDocument } from '../documents/read-document';
import { CliUsageError, EXIT, type TExitCode } from '../exit-codes';
import { brief, printJson, relativeFile } from '../output';

const MARKS = { added: '+', removed: '-', changed: '~' } as const;

function changeLine(change: TDocumentChange, where: string): string {
  const at = `${where}: ${MARKS[change.kind]} ${change.path}`;
  if (change.kind === 'added') return `${at}: ${brief(change.after)}`;
  if (change.kind === 'removed') return `${at}: ${brief(change.before)}`;
  return `${at}: ${brief(change.before, 60)} → ${brief(change.after, 60)}`;
}

/**
 * `pipewright diff <file>`: what the file changes against the latest published version, by
 * path and with the file's lines. Exit 0 when they define the same thing, 1 when they differ.
 */
export async function diffCommand(
  client: PipewrightClient,
  file: string,
  options: { json?: boolean },
  io: TCliIo,
): Promise<TExitCode> {
  const source = await readSourceDocument(file.startsWith('/') ? file : `${io.cwd}/${file}`);
  const key = source.value.key;
  if (typeof key !== 'string') throw new CliUsageError(`${file}: a version document needs a "key"`);
  let published: TDocument | null = null;
  let against: number | null = null;
  let local = source.value;
  try {
    const workflow = await client.getWorkflow(key);
    local = withTags(
      { ...local, name: local.name ?? workflow.name, description: local.description ?? workflow.description },
      Array.isArray(local.tags) ? (local.tags as string[]) : workflow.tags,
    );
    against = workflow.latestVersion;
    // Tags are the workflow's, not the version's: compare the file's with the workflow's own.
    if (against !== null) published = withTags(await client.getVersion(key, against), workflow.tags) as TDocument;
  } catch (error) {
    if (!(error instanceof PipewrightApiError) || error.status !== 404) throw error;
  }
  const changes = diffDocuments(published ? definitionOf(published) : {}, definitionOf(local));
  if (options.json) {
    printJson(io, { key, against, changes: changes.map((change) => ({ ...change, ...source.locate(change.path) })) });
  } else {
    io.out(
      against === null
        ? `${key}: nothing published yet; everything in ${file} is new\n`
        : `${key}: ${file} against v${against}\n`,
    );
    for (const change of changes) {
      const at = source.locate(change.path);
      io.out(`  ${changeLine(change, `${relativeFile(source.file, io.cwd)}${at ? `:${at.line}` : ''}`)}\n`);
    }
    if (changes.length === 0) io.out('  no changes\n');
  }
  return changes.length === 0 ? EXIT.ok : EXIT.refused;
}
