import 'server-only';
/**
 * Wraps a caller's `beforeSend` check so that what it throws can be told apart from the
 * transport's own failures afterwards: the client rethrows the caller's refusal as is instead
 * of turning it into a network or SMTP error.
 */
export function recordCallerRefusal(check: (() => void) | undefined): {
  check: (() => void) | undefined;
  refusal: () => { error: unknown } | null;
} {
  let refused: { error: unknown } | null = null;
  const wrapped = check
    ? () => {
        try {
          check();
        } catch (error) {
          refused = { error };
          throw error;
        }
      }
    : undefined;
  return { check: wrapped, refusal: () => refused };
}
