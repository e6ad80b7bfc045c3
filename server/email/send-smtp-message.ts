import 'server-only';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { AppError } from '@/model/errors';
import type { TEgressAllowList } from '@/server/security/egress-allowlist';
import { resolveAllowedAddresses, resolveWithSystemDns, type TResolveHost } from '@/server/security/egress-guard';
import { recordCallerRefusal } from '@/server/security/caller-refusal';

export const SMTP_TIMEOUT_MS = 60_000;
/**
 * How long an SMTP send's claim outlasts the send's own time limit: the claim must still be
 * live when the owner's confirm lands (a slow database, a busy event loop after the server's
 * answer), or another attempt could take it over and send a second copy. Long enough for
 * that, short enough that a dead sender's message is retried within a minute and a half.
 */
export const SMTP_CLAIM_MARGIN_MS = 15_000;

export type TSmtpMessage = {
  from: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
  messageId: string;
};

/** The SMTP_URL settings Pipewright honours; pooling, proxies and "direct" delivery would open sockets of their own. */
const HONOURED_OPTIONS = [
  'host',
  'port',
  'secure',
  'auth',
  'ignoreTLS',
  'requireTLS',
  'name',
  'tls',
  'authMethod',
] as const;

/**
 * Reads SMTP_URL (`smtp://user:pass@host:587`, `smtps://…:465`, query options such as
 * `?requireTLS=true`) into nodemailer options, refusing what is not an SMTP URL with CONFIG.
 */
export function parseSmtpUrl(smtpUrl: string): SMTPTransport.Options {
  const protocol = /^([a-z][a-z0-9+.-]*):\/\//i.exec(smtpUrl)?.[1]?.toLowerCase();
  if (protocol !== 'smtp' && protocol !== 'smtps')
    throw new AppError('CONFIG', 'SMTP_URL must start with smtp:// or smtps://');
  const parsed = parseConnectionUrl(smtpUrl) as SMTPTransport.Options;
  if (!parsed.host) throw new AppError('CONFIG', 'SMTP_URL has no host');
  const options: Record<string, unknown> = {};
  for (const key of HONOURED_OPTIONS) if (parsed[key] !== undefined) options[key] = parsed[key];
  return options as SMTPTransport.Options;
}

/**
 * The host as the WHATWG URL parser reads it for http: `2130706434`, `0x7f.2` and `127.2`
 * become `127.0.0.2`, so an IP literal in any notation is judged as the address it is, without
 * asking DNS. A host the parser refuses is left as it is (DNS then decides, through the guard).
 */
function canonicalHost(host: string): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return URL.canParse(`http://${bracketed}/`) ? new URL(`http://${bracketed}/`).hostname : host;
}

/**
 * Opens the SMTP connection the way guardedFetch does: the host is resolved through the egress
 * guard and the socket connects to the very address that was checked (so neither an IP literal
 * nor a rebinding DNS answer can reach a blocked host). nodemailer then speaks SMTP over it,
 * upgrading to TLS itself for smtps:// or STARTTLS.
 */
export function guardedSocket(
  allow: TEgressAllowList,
  resolveHost: TResolveHost,
  signal: AbortSignal,
  beforeSend: (() => void) | undefined,
): NonNullable<SMTPTransport.Options['getSocket']> {
  return (options, callback) => {
    const host = canonicalHost(String(options.host));
    const port = Number(options.port) || (options.secure ? 465 : 587);
    resolveAllowedAddresses(host, allow, resolveHost).then(
      (addresses) => {
        const target = addresses[0];
        if (!target) return callback(new AppError('CONFIG', `${host} has no address`), null);
        if (signal.aborted)
          return callback(signal.reason instanceof Error ? signal.reason : new Error('aborted'), null);
        const socket = net.connect({ host: target.address, port, family: target.family });
        const abort = () => socket.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', abort, { once: true });
        socket.once('close', () => signal.removeEventListener('abort', abort));
        const onError = (error: Error) => callback(error, null);
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.off('error', onError);
          try {
            beforeSend?.();
          } catch (error) {
            socket.destroy();
            return callback(error instanceof Error ? error : new Error(String(error)), null);
          }
          callback(null, { connection: socket });
        });
      },
      (error: Error) => callback(error, null),
    );
  };
}

/**
 * Sends one message through SMTP_URL over a guarded connection until `signal` aborts (the
 * caller folds its time limit into `signal`). Resolves with the server's answer;
 * rejects with nodemailer's error (which carries `responseCode`) or a GuardedFetchError
 * (EGRESS_BLOCKED); after an abort, the caller tells what happened from the signal.
 * `beforeSend` is asked once the connection is up, before nodemailer says anything on it;
 * whatever it throws is rethrown as is.
 */
export async function sendSmtpMessage({
  smtpUrl,
  message,
  allow,
  signal,
  resolveHost = resolveWithSystemDns,
  beforeSend,
}: {
  smtpUrl: string;
  message: TSmtpMessage;
  allow: TEgressAllowList;
  signal: AbortSignal;
  resolveHost?: TResolveHost;
  beforeSend?: () => void;
}): Promise<{ response: string }> {
  signal.throwIfAborted();
  const caller = recordCallerRefusal(beforeSend);
  const transport = nodemailer.createTransport({
    ...parseSmtpUrl(smtpUrl),
    getSocket: guardedSocket(allow, resolveHost, signal, caller.check),
  });
  try {
    // An abort destroys the socket (see guardedSocket), which ends sendMail with an error.
    const info = await transport.sendMail(message);
    return { response: info.response };
  } catch (error) {
    const refused = caller.refusal();
    throw refused ? refused.error : error;
  } finally {
    transport.close();
  }
}
