/**
 * Forms generated from JSON Schema, for run parameters, human-task forms and previews.
 *
 * - `<SchemaForm schema value onChange errors? readOnly? idPrefix? showSummary? />` renders the
 *   fields (strings with email/date/date-time/uri formats, enums as selects, numbers and integers
 *   with bounds, booleans, nested objects, arrays with add/remove, anything else as JSON text).
 * - `defaultValue(schema)` is the value to start from (defaults filled in).
 * - `validateAgainstSchema(schema, value)` checks without generating code (2020-12 + ajv-formats; the server's ajv decides)
 *   and returns `{ [jsonPointer]: messages[] }`; `hasErrors(errors)` says whether any.
 * - `fieldErrorsFromServer(details)` turns the server's 422 details (`input.a.b` paths) into the
 *   same map, so server-side problems show inline too.
 */
export { SchemaForm, type TSchemaFormProps } from '@/components/schema-form/schema-form';
export { defaultValue, type TFieldErrors, type TJsonSchema, type TPointer } from '@/components/schema-form/json-schema';
export {
  validateAgainstSchema,
  hasErrors,
  fieldErrorsFromServer,
} from '@/components/schema-form/validate-against-schema';
