import type { PipewrightClient, TRunEvent } from '../client';
import type { TCliIo } from '../cli-io';
import { CliUsageError, EXIT, type TExitCode } from '../exit-codes';
import { brief, printJson } from '../output';

/** `#7 12:00:01.234 step.succeeded fetch {"status":200}` */
export function eventLine(event: TRunEvent): string {
  const time = event.at.slice(11, 23);
  const step = event.stepId ? ` ${event.stepId}` : '';
  const data =
    event.data === null || event.data === undefined || JSON.stringify(event.data) === '{}'
      ? ''
      : ` ${brief(event.data, 100)}`;
  return `#${event.seq} ${time} ${event.type}${step}${data}`;
}

/**
 * `pipewright logs <runId> [--follow]`: the run's event log; with --follow, live until the run
 * ends, and then the exit code says how it ended (1: failed or canceled). `--json`: one event per line.
 */
export async function logsCommand(
  client: PipewrightClient,
  runId: string,
  options: { follow?: boolean; json?: boolean },
  io: TCliIo,
): Promise<TExitCode> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(runId)) {
    throw new CliUsageError(`"${runId}" is not a run id (a UUID, as "pipewright run" prints).`);
  }
  const print = (event: TRunEvent) => (options.json ? printJson(io, event) : io.out(`${eventLine(event)}\n`));
  if (options.follow) {
    for await (const event of client.followRunEvents(runId)) print(event);
    const run = await client.getRun(runId);
    return run.status === 'SUCCEEDED' ? EXIT.ok : EXIT.refused;
  }
  let after = 0;
  for (;;) {
    const page = await client.listRunEvents(runId, after);
    for (const event of page.items) print(event as TRunEvent);
    if (page.items.length === 0 || page.nextAfter <= after) return EXIT.ok;
    after = page.nextAfter;
  }
}
