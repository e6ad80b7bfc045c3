import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

async function problemsIn(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'pipewright/no-server-imports-in-client')
    .map((m) => m.message);
}

describe('lint: browser code never imports server/', () => {
  it("refuses a value import from server/ in a 'use client' file under app/", async () => {
    const problems = await problemsIn(
      'app/(app)/x/page-client.tsx',
      "'use client';\nimport { getDb } from '@/server/db/database';\nexport const x = getDb;\n",
    );
    expect(problems).toEqual([expect.stringContaining("'@/server/db/database' is server code")]);
  });

  it('refuses value imports in components/ and model/, relative paths and dynamic imports included', async () => {
    expect(
      await problemsIn('components/x.tsx', "import { getDb } from '../server/db/database';\nexport const x = getDb;\n"),
    ).toHaveLength(1);
    expect(await problemsIn('model/x.ts', "export const load = () => import('@/server/db/database');\n")).toHaveLength(
      1,
    );
  });

  it('allows type-only imports, server components under app/, and tests', async () => {
    expect(
      await problemsIn('components/x.tsx', "import type { Db } from '@/server/db/database';\nexport type X = Db;\n"),
    ).toEqual([]);
    expect(
      await problemsIn('components/y.tsx', "import { type Db } from '@/server/db/database';\nexport type Y = Db;\n"),
    ).toEqual([]);
    expect(
      await problemsIn(
        'app/(app)/x/page.tsx',
        "import { getDb } from '@/server/db/database';\nexport const x = getDb;\n",
      ),
    ).toEqual([]);
    expect(
      await problemsIn(
        'components/x.test.ts',
        "import { getDb } from '@/server/db/database';\nexport const x = getDb;\n",
      ),
    ).toEqual([]);
  });
});
