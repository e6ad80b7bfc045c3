import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ZProblem } from '@/model/definition/problem';
import type { TWorkflowResolver } from '@/server/workflows/validation/workflow-resolver';

/** The validation fixtures (fixtures/valid, fixtures/invalid) and the tenant they are checked in, for tests. */
const FIXTURES = path.join(__dirname, 'fixtures');

/** The tenant's other workflows as the fixtures see them: published versions and what each calls. */
const ZWorkflowTable = z.record(
  z
    .object({
      published: z.array(z.number().int().min(1)),
      calls: z
        .record(
          z.array(z.object({ workflow: z.string(), version: z.union([z.number(), z.literal('latest')]).optional() })),
        )
        .default({}),
    })
    .strict(),
);

const ZInvalidFixture = z
  .object({ description: z.string().min(1), definition: z.unknown(), problems: z.array(ZProblem).min(1) })
  .strict();

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

function fixtureFiles(kind: 'valid' | 'invalid'): Array<{ name: string; file: string }> {
  const dir = path.join(FIXTURES, kind);
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name: name.replace(/\.json$/, ''), file: path.join(dir, name) }));
}

const table = ZWorkflowTable.parse(readJson(path.join(FIXTURES, 'workflows.json')));

/** The fixtures' other workflows (fixtures/workflows.json) as validation sees them. */
export const fixtureResolver: TWorkflowResolver = {
  publishedVersions: (key) => Promise.resolve(Object.hasOwn(table, key) ? [...table[key]!.published] : null),
  calleesOf: (key, version) =>
    Promise.resolve(
      (Object.hasOwn(table, key) ? (table[key]!.calls[String(version)] ?? []) : []).map((callee) => ({
        workflow: callee.workflow,
        version: callee.version,
      })),
    ),
};

/** Definitions that publish with no problem. */
export const validFixtures = fixtureFiles('valid').map(({ name, file }) => ({ name, document: readJson(file) }));

/** Definitions with the problems they must report. */
export const invalidFixtures = fixtureFiles('invalid').map(({ name, file }) => ({
  name,
  ...ZInvalidFixture.parse(readJson(file)),
}));
