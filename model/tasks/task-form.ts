/**
 * Whether a task's form (a JSON Schema) names a required field at its top level. Such a task
 * cannot be answered with a bare outcome: its one-click links open the form after sign-in and
 * the inbox leaves it out of bulk answers.
 */
export function formRequiresInput(form: unknown): boolean {
  if (typeof form !== 'object' || form === null) return false;
  const required = (form as { required?: unknown }).required;
  return Array.isArray(required) && required.length > 0;
}
