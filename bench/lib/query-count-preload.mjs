// Loaded with NODE_OPTIONS=--import by the HTTP bench when BENCH_QUERY_COUNT is set: counts
// every query this process sends through node-postgres (one round trip each, since pg sends a
// client's queries one after another), grouped by the first words of its SQL, and writes them
// as JSON into BENCH_QUERY_COUNT when it exits, or when it gets SIGUSR2 (then the counts reset,
// so a bench can take one window of load at a time).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const dir = process.env.BENCH_QUERY_COUNT;
// The app loads pg with require() from node_modules (next.config's serverExternalPackages): the
// same module instance this require gets, so patching its prototype sees every query.
const pg = createRequire(path.join(process.cwd(), 'package.json'))('pg');
let counts = new Map();

/** A statement's first 60 characters, whitespace folded: enough to tell the app's statements apart. */
const shape = (text) => String(text).replace(/\s+/g, ' ').trim().slice(0, 60);

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text;
  if (text !== undefined) {
    const key = shape(text);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return query.call(this, config, ...rest);
};

function write(suffix) {
  if (!dir) return;
  const role = process.argv
    .slice(1)
    .map((arg) => path.basename(arg))
    .join('_')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .slice(0, 60);
  const sorted = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
  writeFileSync(path.join(dir, `${role}-${process.pid}${suffix}.json`), `${JSON.stringify(sorted, null, 2)}\n`);
}

process.on('SIGUSR2', () => {
  write(`-${Date.now()}`);
  counts = new Map();
});
process.on('exit', () => write(''));
