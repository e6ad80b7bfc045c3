import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZVersionDocument } from '@/model/definition/version-document';
import { canonicalDocument, definitionOf, sameDefinition } from './canonical-document';

const FIXTURES = path.resolve('server/workflows/validation/fixtures');
const fixtures = ['valid', 'invalid'].flatMap((dir) =>
  readdirSync(path.join(FIXTURES, dir))
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const fixture = JSON.parse(readFileSync(path.join(FIXTURES, dir, name), 'utf8')) as Record<string, unknown>;
      // An invalid fixture wraps its definition with the problems expected of it.
      return [`${dir}/${name}`, (dir === 'invalid' ? fixture.definition : fixture) as Record<string, unknown>] as const;
    }),
);

/** Each fixture pared down to what a person might write: no defaults, fields in another order. */
function sparse(document: Record<string, unknown>): Record<string, unknown> {
  const { steps, description: _d, env: _e, ...rest } = document;
  const reversed = Object.fromEntries(Object.entries(rest).reverse());
  const trimmedSteps = Array.isArray(steps)
    ? steps.map((step: Record<string, unknown>) => {
        const { onError: _o, disabled: _x, ...keep } = step;
        return Object.fromEntries(Object.entries(keep).reverse());
      })
    : steps;
  return { ...reversed, ...(trimmedSteps === undefined ? {} : { steps: trimmedSteps }) };
}

describe("the CLI's canonical document is what the server stores", () => {
  const parseable = fixtures.filter(([, document]) => ZVersionDocument.safeParse(document).success);

  it('covers enough fixtures to mean something', () => {
    expect(parseable.length).toBeGreaterThan(40);
  });

  it.each(parseable)('%s: same text, written in full and written sparsely', (_name, document) => {
    const server = JSON.stringify(ZVersionDocument.parse(document));
    expect(JSON.stringify(canonicalDocument(document))).toBe(server);
    const thin = sparse(document);
    const serverThin = ZVersionDocument.safeParse(thin);
    if (serverThin.success) expect(JSON.stringify(canonicalDocument(thin))).toBe(JSON.stringify(serverThin.data));
  });

  it('fills a retry policy and the settings the same way', () => {
    const document = {
      key: 'k',
      name: ' Spaced ',
      settings: { redact: ['/payload/x'] },
      steps: [{ type: 'core.echo', id: 'a', retry: { maxAttempts: 3 } }],
    };
    expect(JSON.stringify(canonicalDocument(document))).toBe(JSON.stringify(ZVersionDocument.parse(document)));
  });

  it('tells a changed definition from the same one written differently, ignoring version and status', () => {
    const base = { key: 'k', name: 'K', steps: [{ id: 'a', type: 'control.return', config: { output: 1 } }] };
    const same = {
      ...base,
      version: 7,
      status: 'published',
      description: '',
      steps: [{ ...base.steps[0], onError: 'fail' }],
    };
    expect(sameDefinition(base, same)).toBe(true);
    expect(sameDefinition(base, { ...base, steps: [{ id: 'a', type: 'control.return', config: { output: 2 } }] })).toBe(
      false,
    );
    const properties = (order: string[]) => Object.fromEntries(order.map((name) => [name, { type: 'string' }]));
    const form = (order: string[]) => ({ ...base, parameterSchema: { type: 'object', properties: properties(order) } });
    expect(sameDefinition(form(['a', 'b']), form(['b', 'a'])), 'form field order is part of the definition').toBe(
      false,
    );
    expect(Object.keys(definitionOf(same))).not.toContain('version');
  });
});
