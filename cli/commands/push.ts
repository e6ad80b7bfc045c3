import { PipewrightApiError, type PipewrightClient, type TDocument, type TWorkflow } from '../client';
import type { TCliIo } from '../cli-io';
import { sameDefinition, withTags } from '../documents/canonical-document';
import { collectDocumentFiles } from '../documents/collect-document-files';
import { readSourceDocument, type TSourceDocument } from '../documents/read-document';
import { CliUsageError, EXIT, type TExitCode } from '../exit-codes';
import { printJson, problemLine, problemsOf, relativeFile, type TProblem } from '../output';

export type TPushOptions = { publish?: boolean; json?: boolean };
type TOutcome = 'unchanged' | 'saved' | 'published' | 'refused';
type TPushResult = { file: string; key: string; outcome: TOutcome; version: number | null; problems: TProblem[] };

async function findWorkflow(client: PipewrightClient, key: string): Promise<TWorkflow | null> {
  try {
    return await client.getWorkflow(key);
  } catch (error) {
    if (error instanceof PipewrightApiError && error.status === 404) return null;
    throw error;
  }
}

/** The local document with what the server would take from the workflow (name, description), to compare. */
function asServerWouldStore(local: Record<string, unknown>, workflow: TWorkflow): Record<string, unknown> {
  return withTags(
    { ...local, name: local.name ?? workflow.name, description: local.description ?? workflow.description },
    Array.isArray(local.tags) ? (local.tags as string[]) : workflow.tags,
  );
}

/** Publishes the draft, or says why the server refused it (422: the problems, with their lines). */
async function publish(
  client: PipewrightClient,
  key: string,
  version: number,
  base: Omit<TPushResult, 'outcome' | 'version'>,
) {
  try {
    const published = await client.publishVersion(key, version);
    return {
      ...base,
      outcome: 'published' as const,
      version,
      problems: [...base.problems, ...published.warnings.map((w) => ({ ...w, severity: 'warning' }))],
    };
  } catch (error) {
    if (!(error instanceof PipewrightApiError) || error.status !== 422) throw error;
    const problems = problemsOf(error.details);
    return {
      ...base,
      outcome: 'refused' as const,
      version,
      problems: problems.length ? problems : [{ path: '', message: error.message }],
    };
  }
}

/**
 * One document: nothing when the server already has this definition (as the draft, or, with
 * `publish`, as the latest published version), else saved as the draft (creating the
 * workflow), then published when asked.
 */
async function pushOne(client: PipewrightClient, source: TSourceDocument, publishToo: boolean): Promise<TPushResult> {
  const key = source.value.key as string;
  const workflow = await findWorkflow(client, key);
  const base = { file: source.file, key, problems: [] as TProblem[] };
  let published: TDocument | null = null;
  let draft: TDocument | null = null;
  if (workflow) {
    const local = asServerWouldStore(source.value, workflow);
    // The server's versions carry no tags (they are the workflow's): compare with the workflow's own.
    if (workflow.latestVersion !== null)
      published = withTags(await client.getVersion(key, workflow.latestVersion), workflow.tags) as TDocument;
    if (workflow.draftVersion !== null)
      draft = withTags(await client.getVersion(key, workflow.draftVersion), workflow.tags) as TDocument;
    if (publishToo && published && sameDefinition(local, published))
      return { ...base, outcome: 'unchanged', version: workflow.latestVersion };
    if (publishToo && draft && sameDefinition(local, draft)) return publish(client, key, workflow.draftVersion!, base);
    const current = draft ?? published;
    const currentVersion = workflow.draftVersion ?? workflow.latestVersion;
    if (!publishToo && current && sameDefinition(local, current))
      return { ...base, outcome: 'unchanged', version: currentVersion };
  }
  let saved;
  try {
    saved = await client.importDocument(source.value);
  } catch (error) {
    if (!(error instanceof PipewrightApiError) || error.status !== 422) throw error;
    const problems = problemsOf(error.details);
    return {
      ...base,
      outcome: 'refused',
      version: null,
      problems: problems.length ? problems : [{ path: '', message: error.message }],
    };
  }
  const found = saved.problems.map(({ stepId, path, message, severity }) => ({ stepId, path, message, severity }));
  if (!publishToo) return { ...base, outcome: 'saved', version: saved.version, problems: found };
  return publish(client, key, saved.version, base);
}

/** Reads every named document first, so a broken file or a key named twice stops the push before anything is sent. */
async function readAll(targets: string[], io: TCliIo): Promise<TSourceDocument[]> {
  const files = await collectDocumentFiles(targets, io.cwd);
  const sources: TSourceDocument[] = [];
  for (const { file, fromFolder } of files) {
    const source = await readSourceDocument(file);
    if (typeof source.value.key !== 'string') {
      // In a folder, other JSON and YAML (package.json, CI files) is not ours to push.
      if (fromFolder) continue;
      throw new CliUsageError(`${relativeFile(file, io.cwd)}: a version document needs a "key"`);
    }
    sources.push(source);
  }
  const byKey = new Map<string, string>();
  for (const source of sources) {
    const earlier = byKey.get(source.value.key as string);
    if (earlier)
      throw new CliUsageError(
        `"${String(source.value.key)}" is in both ${relativeFile(earlier, io.cwd)} ` +
          `and ${relativeFile(source.file, io.cwd)}`,
      );
    byKey.set(source.value.key as string, source.file);
  }
  if (sources.length === 0)
    throw new CliUsageError(`No version documents (.json, .yaml, .yml with a "key") in ${targets.join(', ')}`);
  return sources;
}

const OUTCOME_WORDS: Record<TOutcome, (version: number | null) => string> = {
  unchanged: (v) => `unchanged${v ? ` at v${v}` : ''}`,
  saved: (v) => `draft v${v} saved`,
  published: (v) => `published v${v}`,
  refused: (v) => (v ? `v${v} not published` : 'refused'),
};

/** `pipewright push <file|dir>… [--publish]`: create or update drafts (and publish) from version documents. */
export async function pushCommand(
  client: PipewrightClient,
  targets: string[],
  options: TPushOptions,
  io: TCliIo,
): Promise<TExitCode> {
  const sources = await readAll(targets.length ? targets : ['.'], io);
  const results: TPushResult[] = [];
  for (const source of sources) {
    const result = await pushOne(client, source, options.publish === true);
    results.push(result);
    if (options.json) continue;
    const name = relativeFile(source.file, io.cwd);
    io.out(`${result.key}: ${OUTCOME_WORDS[result.outcome](result.version)} (${name})\n`);
    for (const problem of result.problems)
      (result.outcome === 'refused' ? io.err : io.out)(`  ${problemLine(source, problem, io.cwd)}\n`);
  }
  if (options.json) {
    const located = results.map((result, index) => ({
      ...result,
      file: relativeFile(result.file, io.cwd),
      problems: result.problems.map((problem) => ({ ...problem, ...sources[index]!.locate(problem.path) })),
    }));
    printJson(io, { results: located });
  }
  return results.some((r) => r.outcome === 'refused') ? EXIT.refused : EXIT.ok;
}
