import { describe, expect, it } from 'vitest';
import {
  newRowName,
  parseAllowedValues,
  propertyRows,
  renameProblem,
  withRows,
} from '@/components/designer/config/json-schema-edits';

const SCHEMA = {
  type: 'object',
  title: 'Input',
  additionalProperties: false,
  required: ['amount'],
  properties: { invoiceId: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
};

describe('propertyRows and withRows', () => {
  it('read the properties in order with whether each is required', () => {
    expect(propertyRows(SCHEMA)).toEqual([
      { name: 'invoiceId', schema: { type: 'string' }, required: false },
      { name: 'amount', schema: { type: 'number', minimum: 0 }, required: true },
    ]);
    expect(propertyRows(undefined)).toEqual([]);
    expect(propertyRows({ type: 'object', properties: [] })).toEqual([]);
  });

  it('write rows back keeping the other keywords, with required in property order', () => {
    const rows = propertyRows(SCHEMA).map((row) => ({ ...row, required: true }));
    expect(withRows(SCHEMA, rows)).toEqual({
      type: 'object',
      title: 'Input',
      additionalProperties: false,
      properties: SCHEMA.properties,
      required: ['invoiceId', 'amount'],
    });
  });

  it('leave required out when no row is required, and make a non-object into an object schema', () => {
    expect(
      withRows({ required: ['gone'] }, [{ name: 'comment', schema: { type: 'string' }, required: false }]),
    ).toEqual({ type: 'object', properties: { comment: { type: 'string' } } });
    expect(withRows(undefined, [])).toEqual({ type: 'object', properties: {} });
  });
});

describe('renameProblem', () => {
  const rows = propertyRows(SCHEMA);
  it('allows a new unique name, and the row keeping its own name', () => {
    expect(renameProblem(rows, 0, 'invoiceNumber')).toBeNull();
    expect(renameProblem(rows, 1, 'amount')).toBeNull();
  });
  it('refuses an empty name, stray spaces and another row’s name', () => {
    expect(renameProblem(rows, 0, '')).toBe('Give the field a name.');
    expect(renameProblem(rows, 0, ' id')).toMatch(/space/);
    expect(renameProblem(rows, 0, 'amount')).toBe('Another field is already called “amount”.');
  });
});

describe('newRowName', () => {
  it('numbers after the rows there are and skips names in use', () => {
    expect(newRowName([])).toBe('field1');
    expect(newRowName([{ name: 'field2', schema: {}, required: false }])).toBe('field3');
    expect(
      newRowName([
        { name: 'a', schema: {}, required: false },
        { name: 'field3', schema: {}, required: false },
      ]),
    ).toBe('field4');
  });
});

describe('parseAllowedValues', () => {
  it('splits on commas, trims, drops blanks and repeats', () => {
    expect(parseAllowedValues(' low, high ,, low')).toEqual(['low', 'high']);
    expect(parseAllowedValues(' , ')).toBeUndefined();
  });
});
