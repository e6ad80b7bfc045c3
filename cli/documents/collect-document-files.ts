import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CliUsageError } from '../exit-codes';
import { formatOf } from './read-document';

/**
 * The document files a `push` names: a file as given, a folder's .json/.yaml/.yml files
 * (sub-folders included, hidden ones and node_modules skipped), sorted for a stable order.
 */
export async function collectDocumentFiles(
  targets: string[],
  cwd: string,
): Promise<{ file: string; fromFolder: boolean }[]> {
  const out: { file: string; fromFolder: boolean }[] = [];
  for (const target of targets) {
    const full = path.resolve(cwd, target);
    const info = await stat(full).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new CliUsageError(`${target}: no such file or folder`);
      throw error;
    });
    if (info.isFile()) {
      if (!formatOf(full)) throw new CliUsageError(`${target}: not a .json, .yaml or .yml file`);
      out.push({ file: full, fromFolder: false });
      continue;
    }
    const entries = await readdir(full, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile() && formatOf(entry.name))
      .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name)) // parentPath: Node 20.12+
      .filter(
        (file) =>
          !path
            .relative(full, file)
            .split(path.sep)
            .some((part) => part.startsWith('.') || part === 'node_modules'),
      )
      .sort();
    out.push(...files.map((file) => ({ file, fromFolder: true })));
  }
  return out;
}
