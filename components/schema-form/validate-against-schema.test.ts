import { describe, expect, it } from 'vitest';
import { defaultValue, labelAtPointer, setAtPointer, type TJsonSchema } from '@/components/schema-form/json-schema';
import {
  fieldErrorsFromServer,
  hasErrors,
  validateAgainstSchema,
} from '@/components/schema-form/validate-against-schema';

const ORDER: TJsonSchema = {
  type: 'object',
  required: ['email', 'amount', 'customer'],
  properties: {
    email: { type: 'string', format: 'email', title: 'Email' },
    amount: { type: 'number', minimum: 1, maximum: 1000 },
    quantity: { type: 'integer', default: 1 },
    due: { type: 'string', format: 'date' },
    site: { type: 'string', format: 'uri' },
    priority: { type: 'string', enum: ['low', 'high'], default: 'low' },
    express: { type: 'boolean' },
    customer: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
    lines: {
      type: 'array',
      items: { type: 'object', title: 'Line', required: ['sku'], properties: { sku: { type: 'string' } } },
    },
  },
};

describe('validateAgainstSchema', () => {
  it('accepts a value that fits', () => {
    const value = {
      email: 'a@example.com',
      amount: 5,
      customer: { name: 'Ada' },
      lines: [{ sku: 'X' }],
      due: '2026-01-31',
      site: 'https://example.com',
    };
    expect(validateAgainstSchema(ORDER, value)).toEqual({});
  });

  it('names every problem at the field it belongs to', () => {
    const errors = validateAgainstSchema(ORDER, {
      email: 'nope',
      amount: 0,
      quantity: 1.5,
      due: '31/01/2026',
      site: 'example',
      priority: 'urgent',
      customer: {},
      lines: [{}],
    });
    expect(errors).toEqual({
      '/email': ['Must be an email address, like name@example.com.'],
      '/amount': ['Must be at least 1.'],
      '/quantity': ['Must be a whole number, like 12.'],
      '/due': ['Must be a date (YYYY-MM-DD).'],
      '/site': ['Must be a full URL with its scheme, like https://example.com.'],
      '/priority': ['Must be one of: "low", "high".'],
      '/customer/name': ['Required: enter a value.'],
      '/lines/0/sku': ['Required: enter a value.'],
    });
    expect(hasErrors(errors)).toBe(true);
  });

  it('puts a missing required field on that field, and a number typed as text says so', () => {
    expect(validateAgainstSchema(ORDER, { amount: '12abc', customer: { name: 'x' } })).toEqual({
      '/email': ['Required: enter a value.'],
      '/amount': ['Must be a number, like 12.5 or 12,5.'],
    });
  });

  it('reports an unusable schema instead of throwing', () => {
    expect(
      validateAgainstSchema({ type: 'object', properties: { a: { type: 'string', pattern: '(' } } }, {})['']?.[0],
    ).toMatch(/not usable/);
  });
});

describe('form values', () => {
  it('starts from the defaults, with required booleans false', () => {
    expect(defaultValue({ ...ORDER, required: [...(ORDER.required ?? []), 'express'] })).toEqual({
      quantity: 1,
      priority: 'low',
      express: false,
      customer: {},
    });
  });

  it('sets and removes nested values without touching the original', () => {
    const original = { customer: { name: 'Ada' }, lines: [{ sku: 'A' }] };
    const changed = setAtPointer(original, '/lines/0/sku', 'B');
    expect(changed).toEqual({ customer: { name: 'Ada' }, lines: [{ sku: 'B' }] });
    expect(original.lines[0]?.sku).toBe('A');
    expect(setAtPointer(original, '/customer/name', undefined)).toEqual({ customer: {}, lines: [{ sku: 'A' }] });
  });

  it('labels a nested field by its path of titles, an item as the form labels it (its title and position)', () => {
    expect(labelAtPointer(ORDER, '/lines/1/sku')).toBe('Lines › Line 2 › Sku');
    expect(labelAtPointer(ORDER, '/email')).toBe('Email');
  });
});

describe('fieldErrorsFromServer', () => {
  it('maps the server 422 details onto the fields, required ones onto the missing field', () => {
    expect(
      fieldErrorsFromServer([
        { path: 'input', message: "must have required property 'amount'" },
        { path: 'input.lines.0.sku', message: 'must be string' },
      ]),
    ).toEqual({ '/amount': ['Required: enter a value.'], '/lines/0/sku': ['must be string'] });
  });
});

describe('parseNumberText', () => {
  it('reads numbers as people type them, a decimal comma included, and refuses the rest', async () => {
    const { parseNumberText } = await import('@/components/schema-form/scalar-controls');
    expect(parseNumberText('12.5')).toBe(12.5);
    expect(parseNumberText('12,50')).toBe(12.5);
    expect(parseNumberText('-3')).toBe(-3);
    expect(parseNumberText('1e3')).toBe(1000);
    expect(parseNumberText('abc')).toBeNull();
    expect(parseNumberText('1,234')).toBeNull();
    expect(parseNumberText('12.5.1')).toBeNull();
    expect(parseNumberText('')).toBeNull();
  });
});
