import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { runCli } from '../cli/main';
import { api, E2E_BOOTSTRAP_TOKEN } from './support';

/** The CLI in this process (cheap), against the e2e app; output captured. */
function cliIn(baseURL: string, cwd: string, env: Record<string, string | undefined> = {}, stdin = '') {
  return async (...argv: string[]) => {
    let out = '';
    let err = '';
    const io = {
      out: (text: string) => void (out += text),
      err: (text: string) => void (err += text),
      env: {
        PIPEWRIGHT_URL: baseURL,
        PIPEWRIGHT_TOKEN: E2E_BOOTSTRAP_TOKEN,
        XDG_CONFIG_HOME: path.join(cwd, '.config'),
        ...env,
      },
      cwd,
      readStdin: async () => stdin,
    };
    const code = await runCli(argv, io);
    return { code, out, err };
  };
}

const HELLO_YAML = `key: cli-hello
name: CLI hello
parameterSchema:
  type: object
  required: [name]
  properties:
    name: { type: string }
steps:
  - id: greet
    type: transform.assign
    config:
      assign:
        vars.greeting: { $expr: "'Hello, ' & payload.name" }
output: { $expr: vars.greeting }
`;

const BROKEN_YAML = `key: cli-broken
name: CLI broken
steps:
  - id: calc
    type: transform.assign
    config:
      assign:
        vars.x:
          $expr: "1 + * 2"
`;

test.describe('npx pipewright against the running app', () => {
  test('push --publish, run --wait, logs, pull --all, diff and push --all of only what changed', async ({
    baseURL,
    request,
  }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-cli-'));
    const cli = cliIn(baseURL!, dir);
    writeFileSync(path.join(dir, 'hello.yaml'), HELLO_YAML);
    writeFileSync(path.join(dir, 'broken.yaml'), BROKEN_YAML);
    writeFileSync(path.join(dir, 'package.json'), '{"name": "not a workflow"}');
    const fails = {
      key: 'cli-fails',
      name: 'CLI fails',
      steps: [{ id: 'stop', type: 'control.fail', config: { code: 'NOPE', message: 'no' } }],
    };
    writeFileSync(path.join(dir, 'fails.json'), JSON.stringify(fails, null, 2));

    const first = await cli('push', '.', '--publish');
    expect(first.code, first.err).toBe(1); // broken.yaml was refused
    expect(first.out).toContain('cli-hello: published v1 (hello.yaml)');
    expect(first.out).toContain('cli-fails: published v1 (fails.json)');
    expect(first.err).toContain(
      'broken.yaml:9:11: error: steps[0].config.assign.vars.x.$expr (step "calc"): Expression has a syntax error',
    );
    const again = await cli('--json', 'push', 'hello.yaml', 'fails.json', '--publish');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'unchanged',
      'unchanged',
    ]);
    const hello = await (await api(request).get('/workflows/cli-hello')).json();
    expect([hello.latestVersion, hello.draftVersion, hello.description]).toEqual([1, null, '']);

    writeFileSync(path.join(dir, 'input.yaml'), 'name: Ada\n');
    const ran = await cli('run', 'cli-hello', '--input', 'input.yaml', '--wait');
    expect([ran.code, ran.out]).toEqual([0, '"Hello, Ada"\n']);
    expect(ran.err).toContain('run.succeeded');
    const failed = await cli('--json', 'run', 'cli-fails', '--wait');
    expect(failed.code).toBe(1);
    const failure = JSON.parse(failed.out);
    expect(failure).toMatchObject({ status: 'FAILED', error: { code: 'NOPE' } });
    const badInput = await cli('run', 'cli-hello', '--wait');
    expect([badInput.code, badInput.err]).toEqual([1, expect.stringMatching(/VALIDATION \(422\)/)]);

    const logs = await cli('logs', failure.runId);
    expect(logs.code).toBe(0);
    expect(logs.out.split('\n')[0]).toMatch(/^#1 \d\d:\d\d:\d\d\.\d{3} run\.queued/);
    expect(logs.out).toMatch(/step\.failed stop/);

    const out = path.join(dir, 'git');
    const pulled = await cli('pull', '--all', '--out', 'git');
    expect(pulled.code, pulled.err).toBe(0);
    expect(pulled.out).toContain('cli-hello: written v1 git/cli-hello.json');
    const text = readFileSync(path.join(out, 'cli-hello.json'), 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'key',
      'name',
      'description',
      'parameterSchema',
      'env',
      'settings',
      'steps',
      'output',
    ]);
    expect((await cli('pull', '--all', '--out', 'git')).out).not.toContain('written');

    const changed = JSON.parse(text);
    changed.steps[0].config.assign['vars.greeting'] = { $expr: "'Hi, ' & payload.name" };
    writeFileSync(path.join(out, 'cli-hello.json'), JSON.stringify(changed, null, 2));
    const diff = await cli('diff', 'git/cli-hello.json');
    expect(diff.code).toBe(1);
    const changeLine = diff.out.split('\n').find((line) => line.includes('~ steps[0]'));
    expect(changeLine).toMatch(/git\/cli-hello\.json:\d+: ~ steps\[0\]\.config\.assign\.vars\.greeting\.\$expr: /);
    expect(changeLine).toContain(`"'Hello, ' & payload.name" → "'Hi, ' & payload.name"`);
    const inGit = cliIn(baseURL!, out);
    const pushed = await inGit('--json', 'push', '--all', '--publish');
    expect(pushed.code, pushed.out).toBe(1); // cli-broken was pulled as the draft it still is, and is refused again
    const outcomes = Object.fromEntries(
      JSON.parse(pushed.out).results.map((r: { key: string; outcome: string; version: number }) => [
        r.key,
        `${r.outcome} v${r.version}`,
      ]),
    );
    expect(outcomes).toMatchObject({
      'cli-hello': 'published v2',
      'cli-fails': 'unchanged v1',
      'cli-broken': 'refused v1',
    });
    const broken = JSON.parse(pushed.out).results.find((r: { key: string }) => r.key === 'cli-broken');
    expect(broken.problems[0]).toMatchObject({
      stepId: 'calc',
      path: 'steps[0].config.assign.vars.x.$expr',
      line: expect.any(Number),
    });
    expect((await inGit('diff', 'cli-hello.json')).code).toBe(0);
  });

  test('logs --follow streams a waiting run live until it ends', async ({ baseURL, request }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-cli-'));
    const cli = cliIn(baseURL!, dir);
    const waits = {
      key: 'cli-waits',
      name: 'CLI waits',
      steps: [{ id: 'hold', type: 'event.wait', config: { event: 'cli.go', saveAs: 'vars.go' } }],
      output: { $expr: 'vars.go.n' },
    };
    writeFileSync(path.join(dir, 'waits.json'), JSON.stringify(waits));
    expect((await cli('push', 'waits.json', '--publish')).code).toBe(0);
    const { runId } = JSON.parse((await cli('--json', 'run', 'cli-waits')).out);
    const following = cli('--json', 'logs', runId, '--follow');
    const client = api(request);
    await expect.poll(async () => (await (await client.get(`/runs/${runId}`)).json()).status).toBe('WAITING');
    expect((await client.post('/events', { event: 'cli.go', payload: { n: 7 } })).status()).toBe(200);
    const followed = await following;
    expect(followed.code).toBe(0);
    const types = followed.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).type);
    expect(types[0]).toBe('run.queued');
    expect(types).toEqual(expect.arrayContaining(['run.waiting', 'run.resumed']));
    expect(types.at(-1)).toBe('run.succeeded');
  });

  test('pull writes the workflow’s tags into the file and push gives them back (issue #18 bug 10)', async ({
    baseURL,
    request,
  }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-cli-'));
    const cli = cliIn(baseURL!, dir);
    const client = api(request);
    const key = `cli-tags-${Date.now().toString(36)}`;
    expect((await client.post('/workflows', { key, name: 'Tagged', tags: ['finance', 'eu'] })).status()).toBe(201);
    const saved = await client.post(`/workflows/${key}/versions`, { key, name: 'Tagged', steps: [] });
    expect(saved.status(), await saved.text()).toBeLessThan(300);

    expect((await cli('pull', key)).code).toBe(0);
    const pulled = JSON.parse(readFileSync(path.join(dir, `${key}.json`), 'utf8'));
    expect(pulled).toMatchObject({ key, tags: ['finance', 'eu'] });
    expect(Object.keys(pulled).slice(0, 4)).toEqual(['key', 'name', 'description', 'tags']);
    // Unchanged file, unchanged tags: nothing to push.
    const same = await cli('--json', 'push', `${key}.json`);
    expect(JSON.parse(same.out).results[0].outcome).toBe('unchanged');
    // A changed tag list alone is a change, and the push stores it on the workflow.
    writeFileSync(path.join(dir, `${key}.json`), JSON.stringify({ ...pulled, tags: ['ops'] }, null, 2));
    const pushed = await cli('--json', 'push', `${key}.json`);
    expect(JSON.parse(pushed.out).results[0].outcome).toBe('saved');
    expect((await (await client.get(`/workflows/${key}`)).json()).tags).toEqual(['ops']);
  });

  test('login stores URL and token (0600) for later calls; bad tokens and servers exit 2', async ({ baseURL }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pipewright-cli-'));
    const bare = cliIn(baseURL!, dir, { PIPEWRIGHT_URL: undefined, PIPEWRIGHT_TOKEN: undefined });
    const none = await bare('pull', 'cli-hello');
    expect([none.code, none.err]).toEqual([2, expect.stringContaining('No server')]);
    const wrong = await bare('login', '--url', baseURL!, '--token', 'pw_wrong_token_000000000000000000');
    expect([wrong.code, wrong.err]).toEqual([2, expect.stringContaining('UNAUTHENTICATED (401)')]);
    // The token on stdin, as `pipewright login --url … < token.txt` keeps it out of the shell history.
    const fromStdin = cliIn(
      baseURL!,
      dir,
      { PIPEWRIGHT_URL: undefined, PIPEWRIGHT_TOKEN: undefined },
      `${E2E_BOOTSTRAP_TOKEN}\n`,
    );
    const login = await fromStdin('login', '--url', baseURL!.replace(/^http:\/\//, ''));
    expect(login.code, login.err).toBe(0);
    expect(login.out).toContain('as tenant default (admin)');
    const file = path.join(dir, '.config', 'pipewright', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: baseURL, token: E2E_BOOTSTRAP_TOKEN });
    expect((await bare('pull', 'cli-hello', '--out', 'x')).code).toBe(0);
    // The stored token goes only to the server it was stored for.
    expect(
      (
        await cliIn(baseURL!, dir, { PIPEWRIGHT_URL: `${baseURL}/api/v1/`, PIPEWRIGHT_TOKEN: undefined })(
          'pull',
          'cli-hello',
          '--out',
          'x',
        )
      ).code,
    ).toBe(0);
    const elsewhere = await cliIn(baseURL!, dir, { PIPEWRIGHT_URL: 'http://127.0.0.1:9', PIPEWRIGHT_TOKEN: undefined })(
      'pull',
      'cli-hello',
    );
    expect([elsewhere.code, elsewhere.err]).toEqual([
      2,
      expect.stringContaining('No API token for http://127.0.0.1:9'),
    ]);
    expect((await bare('pull', 'no-such-workflow')).code).toBe(2);
  });

  test('the installed bin runs from a shell with the exit codes scripts rely on', async ({ baseURL }) => {
    const run = promisify(execFile);
    const bin = path.resolve('bin/pipewright.mjs');
    const env = { ...process.env, PIPEWRIGHT_URL: baseURL!, PIPEWRIGHT_TOKEN: E2E_BOOTSTRAP_TOKEN };
    const help = await run('npx', ['--no-install', 'pipewright', '--help'], { env });
    expect(help.stdout).toContain('Usage: pipewright');
    const missing = await run(process.execPath, [bin, '--json', 'pull', 'no-such-workflow'], { env }).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect('code' in missing && missing.code).toBe(2);
    expect(JSON.parse((missing as { stdout: string }).stdout)).toMatchObject({
      error: { message: expect.stringContaining('NOT_FOUND (404)') },
      exitCode: 2,
    });
  });
});
