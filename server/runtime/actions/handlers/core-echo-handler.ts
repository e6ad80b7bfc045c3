import 'server-only';
import type { TActionHandler } from '@/server/runtime/actions/handlers/action-handler';

/** core.echo@1: the output is the input, unchanged. */
export const coreEchoHandler: TActionHandler = async ({ input }) => ({ output: input });
