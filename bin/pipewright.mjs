#!/usr/bin/env node
// The `pipewright` command (package.json "bin"). The CLI is TypeScript run through tsx, as the
// repo's own scripts are; it imports neither Next.js nor anything under server/.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
