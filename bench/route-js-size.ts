/**
 * The JavaScript a page loads before it can paint, from a finished `next build`: the root main
 * files plus the entry chunks of the route's layouts and page in its client reference manifest
 * (chunks loaded later with import(), such as CodeMirror's, are not counted). Raw and gzip bytes.
 *
 *   npx next build && node --import tsx bench/route-js-size.ts '/(app)/workflows/[key]/page'
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const route = process.argv[2] ?? '/(app)/workflows/[key]/page';
const manifestSource = readFileSync(`.next/server/app${route}_client-reference-manifest.js`, 'utf8');
// The manifest is a script assigning globalThis.__RSC_MANIFEST[route] = {…}: read the object literal.
const json = manifestSource.slice(manifestSource.indexOf('=', manifestSource.indexOf('__RSC_MANIFEST[')) + 1).trim();
const manifest = JSON.parse(json.replace(/;$/, '')) as { entryJSFiles?: Record<string, string[]> };
const build = JSON.parse(readFileSync('.next/build-manifest.json', 'utf8')) as { rootMainFiles?: string[] };
const pageEntry = `[project]/app${route}`;
const files = new Set(build.rootMainFiles ?? []);
for (const [entry, list] of Object.entries(manifest.entryJSFiles ?? {}))
  if (entry === pageEntry || entry.endsWith('/layout')) for (const file of list) files.add(file);
let raw = 0;
let gzip = 0;
for (const file of files) {
  const bytes = readFileSync(`.next/${file}`);
  raw += bytes.length;
  gzip += gzipSync(bytes).length;
}
console.log(
  JSON.stringify({ route, files: files.size, rawKB: +(raw / 1024).toFixed(1), gzipKB: +(gzip / 1024).toFixed(1) }),
);
