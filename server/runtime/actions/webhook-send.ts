import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';
import { ZHttpUrl } from '@/server/runtime/actions/http-url';

export const ZWebhookSendInput = z
  .object({
    url: ZHttpUrl,
    /** Required, but any JSON (null included): refusing `undefined` keeps "forgot the payload" visible. */
    payload: z.unknown().refine((value) => value !== undefined, 'Required'),
    /** The signing secret, usually `{ "$secret": "HOOK_SECRET" }` in the step's input. */
    secret: z.string().min(1).optional(),
  })
  .strict();

export const webhookSend = defineAction({
  id: 'webhook.send',
  version: 1,
  title: 'Send webhook',
  description: 'POSTs a JSON payload to a URL, signed with a Pipewright-Signature header when a secret is given.',
  icon: 'webhook',
  category: 'http',
  inputSchema: ZWebhookSendInput,
  outputSchema: z.object({ status: z.number().int().min(100).max(599) }),
});
