import 'server-only';
import { z } from 'zod';
import { defineAction } from '@/server/runtime/actions/action-descriptor';

export const coreEcho = defineAction({
  id: 'core.echo',
  version: 1,
  title: 'Echo',
  description: 'Returns its input unchanged; handy for testing a workflow or shaping data.',
  icon: 'repeat-2',
  category: 'core',
  inputSchema: z.unknown(),
  outputSchema: z.unknown(),
});
