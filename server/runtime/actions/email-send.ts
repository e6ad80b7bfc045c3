import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';

const ZEmail = z.string().email('must be an email address');

export const ZEmailSendInput = z
  .object({
    to: z.union([ZEmail, z.array(ZEmail).min(1, 'give at least one recipient').max(50)]),
    /** One line: a line break in a header would let the value add headers of its own. */
    subject: z
      .string()
      .trim()
      .min(1, 'give the email a subject')
      .max(998)
      .refine((value) => !/[\r\n]/.test(value), 'must be one line'),
    text: z.string().max(1_000_000).optional(),
    html: z.string().max(1_000_000).optional(),
  })
  .strict()
  .refine((input) => input.text !== undefined || input.html !== undefined, {
    message: 'give text, html or both',
    path: ['text'],
  });

export const emailSend = defineAction({
  id: 'email.send',
  version: 1,
  title: 'Send email',
  description: 'Sends an email through SMTP, or keeps it in the outbox when no SMTP server is configured.',
  icon: 'mail',
  category: 'messaging',
  inputSchema: ZEmailSendInput,
  outputSchema: z.object({ messageId: z.string() }),
});
