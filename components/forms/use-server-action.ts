'use client';

import { useCallback, useState, useTransition } from 'react';
import type { TServerAction, TServerActionError } from '@/model/server-action-result';

const UNREACHABLE: TServerActionError = {
  code: 'INTERNAL',
  message: 'Could not reach the server. Check your connection and try again.',
};

/** Runs a server action from a form or button: pending state, the error to show, success callback. */
export function useServerAction<T>(action: TServerAction<T>) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TServerActionError | null>(null);
  const run = useCallback(
    (input: unknown, onSuccess?: (data: T) => void) => {
      startTransition(async () => {
        let result;
        try {
          result = await action(input);
        } catch (thrown) {
          // A network failure or a server crash before the wrapper: show it, keep the form.
          console.error('[action] call failed:', thrown);
          setError(UNREACHABLE);
          return;
        }
        if (result.ok) {
          setError(null);
          onSuccess?.(result.data);
        } else {
          setError(result.error);
        }
      });
    },
    [action],
  );
  const reset = useCallback(() => setError(null), []);
  return { pending, error, run, reset };
}

/** The message for a field, or for the whole form when no field names it. */
export function fieldError(error: TServerActionError | null, field: string): string | undefined {
  return error?.fields?.[field];
}

export function formLevelError(error: TServerActionError | null, knownFields: readonly string[]): string | null {
  if (!error) return null;
  const fields = Object.keys(error.fields ?? {});
  return fields.length > 0 && fields.every((f) => knownFields.includes(f)) ? null : error.message;
}
