import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWorkloads } from '@/bench/lib/check-workloads';
import type { TProblem } from '@/model/definition/problem';
import { validateDefinition } from '@/server/workflows/validation/validate-definition';
import { fixtureResolver, invalidFixtures, validFixtures } from '@/server/workflows/validation/validation-fixtures';

/**
 * The problems of the bench workflows and of every fixture, exactly (same problems, same
 * order, same messages, paths and offsets) as the check reported them before it was made
 * fast (recorded in fixtures/recorded by main's code at a01ce7f): a speedup must not change one. One entry was added since, with
 * the fix it tests: code-under-malformed-step (main gave its code problem the path of the
 * wrong step when a malformed step came before it).
 */
const RECORDED = path.join(__dirname, 'fixtures', 'recorded');

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** One problem a line, so a difference reads as a diff. */
function asLines(problems: TProblem[]): string {
  return `[\n${problems.map((problem) => JSON.stringify(problem)).join(',\n')}\n]\n`;
}

describe('problems as recorded before the check was made fast', () => {
  it.each(checkWorkloads())('$name', async ({ name, steps, document }) => {
    const result = await validateDefinition({ document, resolver: fixtureResolver });
    const recorded = path.join(RECORDED, `${name}.txt`);
    // The 1,000-step lists (180 kB) are kept as a digest; the 300-step ones show a difference line by line.
    const text =
      steps >= 1000
        ? `${JSON.stringify({ problems: result.problems.length, sha256: sha(result.problems), document: sha(result.document) })}\n`
        : `${JSON.stringify({ document: sha(result.document) })}\n${asLines(result.problems)}`;
    // A missing recording would be written anew and pass: the recordings are part of the test.
    expect(existsSync(recorded)).toBe(true);
    await expect(text).toMatchFileSnapshot(recorded);
  });

  it('for every fixture', async () => {
    const lines: string[] = [];
    for (const { name, document } of [
      ...validFixtures,
      ...invalidFixtures.map(({ name, definition }) => ({ name, document: definition })),
    ]) {
      const result = await validateDefinition({ document, resolver: fixtureResolver });
      lines.push(`## ${name} ${sha(result.document)}`, asLines(result.problems));
    }
    expect(existsSync(path.join(RECORDED, 'fixtures.txt'))).toBe(true);
    await expect(lines.join('\n')).toMatchFileSnapshot(path.join(RECORDED, 'fixtures.txt'));
  });
});
