import 'server-only';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as a test SMTP server received it. */
export type TReceivedMail = { from: string; to: string[]; raw: string };

export type TLoopbackSmtpServer = {
  /** `smtp://<host>:<port>`, ready for SMTP_URL. */
  url: string;
  port: number;
  /** Connections accepted, so a test can prove a refused target saw nothing at all. */
  connections: () => number;
  messages: TReceivedMail[];
  /** With `holdMessages`: resolves once `count` messages have arrived and are being held. */
  whenHeld: (count: number) => Promise<void>;
  /** With `holdMessages`: accepts every held message (and any later one). */
  release: () => void;
  close: () => Promise<void>;
};

/**
 * A real SMTP server (smtp-server) on a loopback address for tests: plain SMTP without TLS or
 * authentication, recording every message. `rejectRecipients` answers RCPT TO with that reply
 * code (451: try again later, 550: no such mailbox). `holdMessages` keeps each message's final
 * answer back until `release()`, so a test can act while a sender is in the middle of a send.
 */
export function startLoopbackSmtpServer(
  host: string,
  { rejectRecipients, holdMessages = false }: { rejectRecipients?: number; holdMessages?: boolean } = {},
): Promise<TLoopbackSmtpServer> {
  const messages: TReceivedMail[] = [];
  let connections = 0;
  let held = 0;
  const heldWaiters: Array<{ count: number; resolve: () => void }> = [];
  let release = () => {};
  const released = holdMessages ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect: (_session, callback) => {
      connections += 1;
      callback();
    },
    onRcptTo: (_address, _session, callback) => {
      if (!rejectRecipients) return callback();
      const error = Object.assign(new Error(rejectRecipients < 500 ? 'mailbox busy, try later' : 'no such mailbox'), {
        responseCode: rejectRecipients,
      });
      callback(error);
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const mail = {
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        held += 1;
        for (const waiter of heldWaiters.filter((w) => held >= w.count)) waiter.resolve();
        // Recorded only once answered: `messages` is what the server accepted.
        void released.then(() => {
          messages.push(mail);
          callback(null, 'queued as test');
        });
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = server.listen(0, host, () => {
      const { port } = listening.address() as AddressInfo;
      resolve({
        url: `smtp://${host}:${port}`,
        port,
        connections: () => connections,
        messages,
        whenHeld: (count) =>
          held >= count ? Promise.resolve() : new Promise((resolve) => heldWaiters.push({ count, resolve })),
        release: () => release(),
        close: () => {
          release();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
