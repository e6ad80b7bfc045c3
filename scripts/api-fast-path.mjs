// Preloaded into the web process before scripts/peer-address.mjs (which must wrap it, so the
// peer address is noted on fast-path requests too): answers POST /api/v1/workflows/{key}/runs
// with the same compiled route handler Next.js would call, without Next.js's per-request
// pipeline. See scripts/lib/api-fast-path.mjs; PIPEWRIGHT_API_FAST_PATH=off turns it off.
import process from 'node:process';
import { installApiFastPath } from './lib/api-fast-path.mjs';

if (process.env.PIPEWRIGHT_API_FAST_PATH !== 'off') installApiFastPath();
