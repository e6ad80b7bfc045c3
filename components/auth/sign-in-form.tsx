'use client';

import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

/** Email + password through next-auth's credentials provider, without leaving the page on failure. */
export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn('credentials', {
      redirect: false,
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
    }).catch((thrown: unknown) => {
      console.error('[sign-in] request failed:', thrown);
      return null;
    });
    if (result?.ok && !result.error) {
      router.replace(callbackUrl);
      router.refresh();
      return; // keep the button busy until the next page replaces this one
    }
    setPending(false);
    // A throttled sign-in comes back with the server's own sentence (see auth-options.ts).
    const throttled = result?.error?.startsWith('Too many failed sign-ins') ? result.error : null;
    setError(
      throttled ??
        (!result || (result.status >= 500 && result.error !== 'CredentialsSignin')
          ? 'Could not reach the server. Try again in a moment.'
          : 'Wrong email or password.'),
    );
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <Field id="email" label="Email">
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          aria-invalid={error ? true : undefined}
        />
      </Field>
      <Field id="password" label="Password">
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={error ? true : undefined}
        />
      </Field>
      <FormError message={error} />
      <Button type="submit" variant="primary" loading={pending} className="w-full">
        Sign in
      </Button>
    </form>
  );
}
