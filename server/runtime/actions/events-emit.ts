import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';

/** Event names as waits, event triggers and POST /events use them. */
export const ZEventName = z.string().trim().min(1, 'give the event a name').max(200);

export const ZEventsEmitInput = z
  .object({
    event: ZEventName,
    correlationKey: z.string().min(1).max(500).optional(),
    payload: z.unknown().optional(),
  })
  .strict();

export const eventsEmit = defineAction({
  id: 'events.emit',
  version: 1,
  title: 'Emit event',
  description: 'Emits an event that resumes waiting runs and starts event-triggered workflows, like POST /events.',
  icon: 'radio',
  category: 'events',
  inputSchema: ZEventsEmitInput,
  outputSchema: z.object({
    resumed: z.array(z.string()).describe('Ids of the runs this event resumed'),
    started: z.array(z.string()).describe('Ids of the runs this event started'),
  }),
});
