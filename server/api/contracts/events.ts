import 'server-only';
import { defineContract } from '@/server/api/contract';
import { ZDeliverEvent } from '@/server/events/deliver-event';
import { ZEventRecord } from '@/server/events/event-record';

export const deliverEventContract = defineContract({
  operationId: 'deliverEvent',
  method: 'POST',
  path: '/events',
  summary:
    'Deliver an event: resumes the runs waiting on its name and correlation key (each once) → the stored event with {resumed, started}',
  tag: 'Events',
  permission: 'run.start',
  body: ZDeliverEvent,
  response: ZEventRecord,
});
