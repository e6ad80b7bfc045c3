import type { ReactNode } from 'react';
import { Label } from '@/components/ui/label';

type TFieldProps = {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  optional?: boolean;
  children: ReactNode;
};

/**
 * A label, a control, and its hint or error underneath. The control should carry
 * `aria-describedby={fieldMessageId(id)}` and `aria-invalid` so screen readers hear the error.
 */
export function Field({ id, label, hint, error, optional, children }: TFieldProps) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>
        {label}
        {optional && <span className="ml-1 font-normal text-ink-faint">(optional)</span>}
      </Label>
      {children}
      {error ? (
        <p id={fieldMessageId(id)} className="text-[13px] text-danger">
          {error}
        </p>
      ) : hint ? (
        <p id={fieldMessageId(id)} className="text-[13px] text-ink-faint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function fieldMessageId(id: string): string {
  return `${id}-message`;
}

/** An error for the whole form, announced when it appears. */
export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-[13px] text-danger">
      {message}
    </p>
  );
}
