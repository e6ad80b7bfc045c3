'use client';

import { Plus } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { putConnectionAction } from '@/app/(app)/settings/connections/server-actions';
import { fieldError, formLevelError, useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { Dialog, DialogFooter } from '@/components/ui/dialog';
import { Field, FormError, fieldMessageId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import {
  CONNECTION_TYPE_LABELS,
  CONNECTION_TYPES,
  HTTP_AUTH_KINDS,
  type TConnectionType,
} from '@/model/connections/connection-config';

type TAuthKind = (typeof HTTP_AUTH_KINDS)[number];
const AUTH_LABELS = {
  none: 'None',
  bearer: 'Bearer token',
  basic: 'Basic (user and password)',
  header: 'API key in a header',
  query: 'API key in the query string',
} as const satisfies Record<TAuthKind, string>;

/** Every path a field of this form shows its own error for. */
const FORM_PATHS = [
  'name',
  'description',
  'config.baseUrl',
  'config.auth.username',
  'config.auth.name',
  'config.auth.token',
  'config.auth.password',
  'config.auth.value',
  'config.host',
  'config.port',
  'config.username',
  'config.password',
  'config.from',
  'config.connectionString',
  'config.apiKey',
  'config.prices',
  'config.url',
  'config.headers',
];

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const optional = (form: FormData, name: string) => text(form, name) || undefined;

/** The config object of `type` from the form's fields; the server checks it (422 per field). */
function configFrom(type: TConnectionType, auth: TAuthKind, form: FormData): unknown {
  switch (type) {
    case 'http': {
      const baseUrl = text(form, 'baseUrl');
      if (auth === 'bearer') return { baseUrl, auth: { type: auth, token: text(form, 'secret') } };
      if (auth === 'basic')
        return { baseUrl, auth: { type: auth, username: text(form, 'username'), password: text(form, 'secret') } };
      if (auth === 'header' || auth === 'query')
        return { baseUrl, auth: { type: auth, name: text(form, 'authName'), value: text(form, 'secret') } };
      return { baseUrl, auth: { type: 'none' } };
    }
    case 'smtp':
      return {
        host: text(form, 'host'),
        port: Number(text(form, 'port') || 587),
        secure: form.get('secure') === 'on',
        username: optional(form, 'username'),
        password: optional(form, 'secret'),
        from: optional(form, 'from'),
      };
    case 'postgres':
      return { connectionString: text(form, 'connectionString') };
    case 'openai': {
      const prices = text(form, 'prices');
      let parsedPrices: unknown;
      try {
        parsedPrices = prices ? (JSON.parse(prices) as unknown) : undefined;
      } catch (parseError) {
        if (!(parseError instanceof SyntaxError)) throw parseError;
        parsedPrices = prices; // the server names the field: "expected object"
      }
      return { baseUrl: text(form, 'baseUrl'), apiKey: text(form, 'secret'), prices: parsedPrices };
    }
    case 'mcp': {
      const headerName = text(form, 'headerName');
      return {
        url: text(form, 'url'),
        headers: headerName ? { [headerName]: text(form, 'secret') } : undefined,
      };
    }
  }
}

/** One text field of the form, wired to the server's per-field errors. */
function TextField({
  name,
  path,
  label,
  error,
  hint,
  secret = false,
  isOptional = false,
  placeholder,
  children,
}: {
  name: string;
  path: string;
  label: string;
  error: ReturnType<typeof useServerAction>['error'];
  hint?: ReactNode;
  secret?: boolean;
  isOptional?: boolean;
  placeholder?: string;
  children?: ReactNode;
}) {
  const id = `connection-${name}`;
  const message = fieldError(error, path);
  return (
    <Field id={id} label={label} error={message} hint={hint} optional={isOptional}>
      {children ?? (
        <Input
          id={id}
          name={name}
          type={secret ? 'password' : 'text'}
          autoComplete={secret ? 'new-password' : 'off'}
          placeholder={placeholder}
          className={secret || name === 'description' ? undefined : 'font-mono'}
          aria-invalid={Boolean(message)}
          aria-describedby={fieldMessageId(id)}
        />
      )}
    </Field>
  );
}

/**
 * Creates a connection, or replaces `replace` (same name, everything given again: secret fields
 * are write-only and never come back to fill the form). Secret inputs are uncontrolled password
 * fields, so React never mirrors them into the DOM.
 */
export function ConnectionFormDialog({ replace }: { replace?: { name: string; type: TConnectionType } }) {
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<TConnectionType>(replace?.type ?? 'http');
  const [auth, setAuth] = useState<TAuthKind>('bearer');
  const { pending, error, run, reset } = useServerAction(putConnectionAction);
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) reset();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = text(form, 'description');
    run(
      {
        name: replace?.name ?? text(form, 'name'),
        type,
        description: description || (replace ? undefined : ''),
        config: configFrom(type, auth, form),
      },
      () => onOpenChange(false),
    );
  };
  const field = (props: Omit<Parameters<typeof TextField>[0], 'error'>) => <TextField {...props} error={error} />;
  return (
    <>
      {replace ? (
        <Button size="sm" variant="ghost" onClick={() => setOpen(true)} aria-label={`Replace ${replace.name}`}>
          Replace
        </Button>
      ) : (
        <Button variant="primary" onClick={() => setOpen(true)}>
          <Plus className="size-4" aria-hidden />
          New connection
        </Button>
      )}
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={replace ? `Replace "${replace.name}"` : 'New connection'}
        description="Secret fields (tokens, passwords, API keys, the database password) are sealed on save and never shown again."
      >
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate autoComplete="off">
          {!replace && (
            <>
              {field({
                name: 'name',
                path: 'name',
                label: 'Name',
                hint: 'Letters, digits, dots, dashes, underscores.',
              })}
              <Field id="connection-type" label="Type">
                <Select
                  id="connection-type"
                  value={type}
                  onValueChange={(next) => setType(next as TConnectionType)}
                  options={CONNECTION_TYPES.map((value) => ({ value, label: CONNECTION_TYPE_LABELS[value] }))}
                  className="w-full"
                />
              </Field>
            </>
          )}
          {type === 'http' && (
            <>
              {field({
                name: 'baseUrl',
                path: 'config.baseUrl',
                label: 'Base URL',
                placeholder: 'https://api.example.com/v2',
                hint: 'Steps may then give a path under it.',
              })}
              <Field id="connection-auth" label="Authentication">
                <Select
                  id="connection-auth"
                  value={auth}
                  onValueChange={(next) => setAuth(next as TAuthKind)}
                  options={HTTP_AUTH_KINDS.map((value) => ({ value, label: AUTH_LABELS[value] }))}
                  className="w-full"
                />
              </Field>
              {auth === 'basic' && field({ name: 'username', path: 'config.auth.username', label: 'User name' })}
              {(auth === 'header' || auth === 'query') &&
                field({
                  name: 'authName',
                  path: 'config.auth.name',
                  label: auth === 'header' ? 'Header name' : 'Query parameter',
                  placeholder: auth === 'header' ? 'X-Api-Key' : 'api_key',
                })}
              {auth !== 'none' &&
                field({
                  name: 'secret',
                  path:
                    auth === 'bearer'
                      ? 'config.auth.token'
                      : auth === 'basic'
                        ? 'config.auth.password'
                        : 'config.auth.value',
                  label: auth === 'bearer' ? 'Token' : auth === 'basic' ? 'Password' : 'Key',
                  secret: true,
                })}
            </>
          )}
          {type === 'smtp' && (
            <>
              {field({ name: 'host', path: 'config.host', label: 'Host', placeholder: 'smtp.example.com' })}
              {field({ name: 'port', path: 'config.port', label: 'Port', placeholder: '587' })}
              <label className="inline-flex items-center gap-2 text-sm text-ink">
                <input type="checkbox" name="secure" className="size-4 accent-(--color-accent)" />
                TLS from the start (port 465); otherwise STARTTLS when offered
              </label>
              {field({ name: 'username', path: 'config.username', label: 'User name', isOptional: true })}
              {field({ name: 'secret', path: 'config.password', label: 'Password', secret: true, isOptional: true })}
              {field({ name: 'from', path: 'config.from', label: 'From address', isOptional: true })}
            </>
          )}
          {type === 'postgres' &&
            field({
              name: 'connectionString',
              path: 'config.connectionString',
              label: 'Connection string',
              secret: true,
              hint: 'postgres://user:password@host:5432/database — shown later without its password.',
            })}
          {type === 'openai' && (
            <>
              {field({
                name: 'baseUrl',
                path: 'config.baseUrl',
                label: 'Base URL',
                placeholder: 'https://api.openai.com/v1',
                hint: 'Any OpenAI-compatible server; /v1/chat/completions is called under it.',
              })}
              {field({ name: 'secret', path: 'config.apiKey', label: 'API key', secret: true })}
              {field({
                name: 'prices',
                path: 'config.prices',
                label: 'Prices (USD per million tokens)',
                isOptional: true,
                placeholder: '{"gpt-4o-mini": {"inputPerMillion": 0.15, "outputPerMillion": 0.6}}',
              })}
            </>
          )}
          {type === 'mcp' && (
            <>
              {field({
                name: 'url',
                path: 'config.url',
                label: 'Server URL',
                placeholder: 'https://mcp.example.com/mcp',
              })}
              {field({
                name: 'headerName',
                path: 'config.headers',
                label: 'Auth header name',
                isOptional: true,
                placeholder: 'Authorization',
              })}
              {field({
                name: 'secret',
                path: 'config.headers',
                label: 'Auth header value',
                secret: true,
                isOptional: true,
              })}
            </>
          )}
          {field({
            name: 'description',
            path: 'description',
            label: 'Description',
            isOptional: true,
            hint: replace ? 'Leave empty to keep the current description.' : undefined,
          })}
          <FormError message={formLevelError(error, FORM_PATHS)} />
          <DialogFooter>
            <Button onClick={() => onOpenChange(false)}>Cancel</Button>
            <Button type="submit" variant="primary" loading={pending}>
              {replace ? 'Replace connection' : 'Save connection'}
            </Button>
          </DialogFooter>
        </form>
      </Dialog>
    </>
  );
}
