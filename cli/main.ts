import { Command, CommanderError, Option } from 'commander';
import { PipewrightApiError, PipewrightConnectionError } from './client';
import { processIo, type TCliIo } from './cli-io';
import { diffCommand } from './commands/diff';
import { loginCommand, logoutCommand } from './commands/login';
import { logsCommand } from './commands/logs';
import { pullCommand } from './commands/pull';
import { pushCommand } from './commands/push';
import { runCommand } from './commands/run';
import { connect } from './connect';
import { DocumentFileError } from './documents/read-document';
import { CliUsageError, EXIT, type TExitCode } from './exit-codes';
import { printJson, relativeFile } from './output';

const ENVIRONMENT_HELP = `
Environment:
  PIPEWRIGHT_URL     the server, e.g. https://pipewright.example.com (else the one from "login")
  PIPEWRIGHT_TOKEN   an API token, pw_… (else the one "login" stored for that server)

Exit codes: 0 done, 1 a run failed or the server refused a document (or diff found changes),
2 usage or connection problems (bad options, unreadable files, unreachable server, 401/403/404).`;

/** An error as the exit code and message a script and a person should see. */
function report(error: unknown, io: TCliIo, json: boolean): TExitCode {
  let code: TExitCode = EXIT.usage;
  let message: string;
  let details: unknown;
  if (error instanceof DocumentFileError) {
    const at = error.position ? `:${error.position.line}:${error.position.column}` : '';
    message = `${relativeFile(error.file, io.cwd)}${at}: ${error.message}`;
  } else if (error instanceof PipewrightApiError) {
    // The server understood and said no to the content (validation, a conflict): the work was refused.
    code = error.status === 422 || error.status === 409 ? EXIT.refused : EXIT.usage;
    message = `${error.code} (${error.status}): ${error.message}`;
    details = error.details;
  } else if (error instanceof PipewrightConnectionError || error instanceof CliUsageError) {
    message = error.message;
  } else {
    throw error;
  }
  if (json) printJson(io, { error: { message, ...(details === undefined ? {} : { details }) }, exitCode: code });
  else io.err(`pipewright: ${message}\n`);
  return code;
}

function buildProgram(io: TCliIo, done: (code: TExitCode) => void): Command {
  const program = new Command('pipewright')
    .description('Pipewright from the command line: workflows as code, runs and their logs.')
    .option('--json', 'machine-readable output: JSON on stdout (one object per line)')
    .addHelpText('after', ENVIRONMENT_HELP)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(pipewright --help lists the commands)');
  const json = () => program.opts<{ json?: boolean }>().json === true;
  const withClient = async <T>(work: (client: Awaited<ReturnType<typeof connect>>) => Promise<T>) =>
    work(await connect(io));

  program
    .command('push')
    .description('create or update drafts from version documents (JSON or YAML); with a folder, every document in it')
    .argument('[paths...]', 'files or folders (default: the current folder)')
    .option('--publish', 'publish what changed')
    .option('--all', 'every document under the current folder (the same as "push .")')
    .action(async (paths: string[], options: { publish?: boolean; all?: boolean }) => {
      if (options.all && paths.length)
        throw new CliUsageError('--all pushes the current folder; name paths or pass --all, not both.');
      done(await withClient((client) => pushCommand(client, paths, { publish: options.publish, json: json() }, io)));
    });

  program
    .command('pull')
    .description('write the latest published version of a workflow (or all of them) as files, one per workflow')
    .argument('[key]', 'the workflow key')
    .option('--all', 'every workflow of the tenant')
    .option('--out <dir>', 'folder to write to', '.')
    .addOption(
      new Option('--format <format>', 'for new files; an existing file keeps its format')
        .choices(['json', 'yaml'])
        .default('json'),
    )
    .action(async (key: string | undefined, options: { all?: boolean; out: string; format: string }) => {
      done(await withClient((client) => pullCommand(client, key, { ...options, json: json() }, io)));
    });

  program
    .command('run')
    .description('start a run of the latest published version; with --wait print its output')
    .argument('<key>', 'the workflow key')
    .option('--input <file>', 'the run input: a JSON or YAML file, or - for JSON on stdin')
    .option('--wait', 'wait for the run to end, show its events on stderr, print the output; exit 1 if it failed')
    .option('--version <n>', 'a published version other than the latest')
    .option('--idempotency-key <key>', 'a second start with the same key returns the first run')
    .action(
      async (key: string, options: { input?: string; wait?: boolean; version?: string; idempotencyKey?: string }) => {
        done(await withClient((client) => runCommand(client, key, { ...options, json: json() }, io)));
      },
    );

  program
    .command('logs')
    .description("a run's event log; with --follow, live until the run ends (exit 1 if it failed)")
    .argument('<runId>', 'the run id')
    .option('-f, --follow', 'stream new events until the run ends')
    .action(async (runId: string, options: { follow?: boolean }) => {
      done(await withClient((client) => logsCommand(client, runId, { ...options, json: json() }, io)));
    });

  program
    .command('diff')
    .description('what a version document changes against the latest published version (exit 1 when it differs)')
    .argument('<file>', 'a JSON or YAML version document')
    .action(async (file: string) => {
      done(await withClient((client) => diffCommand(client, file, { json: json() }, io)));
    });

  program
    .command('login')
    .description("check a token and store it with the server's URL in your config folder (mode 0600)")
    .option('--url <url>', 'the server (default: PIPEWRIGHT_URL)')
    .option('--token <token>', 'the API token (default: PIPEWRIGHT_TOKEN, else read from stdin)')
    .action(async (options: { url?: string; token?: string }) =>
      done(await loginCommand({ ...options, json: json() }, io)),
    );

  program
    .command('logout')
    .description('forget the stored URL and token')
    .action(async () => done(await logoutCommand({ json: json() }, io)));

  return program;
}

/** Runs the CLI on `argv` (without node and the script) and returns its exit code. */
export async function runCli(argv: string[], io: TCliIo = processIo()): Promise<TExitCode> {
  let code: TExitCode = EXIT.ok;
  const program = buildProgram(io, (result) => {
    code = result;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    return report(error, io, argv.includes('--json'));
  }
}
