/**
 * Entry of a code.js worker thread (started by CodePool): evaluates one request at a time, each
 * in a fresh QuickJS runtime. Imports stay relative so the file loads under plain tsx without
 * the `@/` alias.
 */
import { parentPort } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';
import { ZCodeRequest, type TCodeRequest, type TCodeWorkerMessage } from './code-limits';
import { evaluateCode } from './evaluate-code';

const port = parentPort;
if (!port) throw new Error('code-worker.ts must run in a worker thread');

const WASM_PAGE_BYTES = 65_536;
/** The module's own needs (its stack and static data: emscripten's 16 MB initial memory). */
const MODULE_BASE_MB = 16;
/** Modules kept per thread, one per memory limit in use. */
const MAX_MODULES = 3;

/**
 * QuickJS's runtime memory limit is not enough on its own in this build: without
 * malloc_usable_size it checks each allocation's size but adds only 8 bytes per allocation to
 * the total (quickjs-emscripten #271), so 8 MB "limits" let 2 GB of 1 MB buffers through. The
 * hard bound is the WebAssembly memory itself, created with a maximum of the step's limit plus
 * the module's base: past it malloc fails and QuickJS throws "out of memory".
 */
const modules = new Map<number, Promise<QuickJSWASMModule>>();
function moduleFor(memoryMb: number): Promise<QuickJSWASMModule> {
  let module = modules.get(memoryMb);
  if (!module) {
    const pages = ((memoryMb + MODULE_BASE_MB) * 1024 * 1024) / WASM_PAGE_BYTES;
    const wasmMemory = new WebAssembly.Memory({
      initial: (MODULE_BASE_MB * 1024 * 1024) / WASM_PAGE_BYTES,
      maximum: pages,
    });
    module = newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));
    modules.set(memoryMb, module);
    // Oldest first: a Map keeps insertion order.
    for (const key of modules.keys()) if (modules.size > MAX_MODULES) modules.delete(key);
  }
  return module;
}

async function evaluate(request: TCodeRequest): Promise<TCodeWorkerMessage> {
  try {
    const { recycle, ...outcome } = evaluateCode(await moduleFor(request.memoryMb), request);
    return { type: 'result', id: request.id, outcome, recycle };
  } catch (error) {
    // The wasm module itself failed (an abort inside QuickJS): the step gets the reason, and
    // this thread is replaced, since the module's state can no longer be trusted.
    const reason = error instanceof Error ? error.message : String(error);
    const failure = { code: 'CODE_LIMIT' as const, message: `The sandbox stopped: ${reason}` };
    return { type: 'result', id: request.id, outcome: { ok: false, failure, logs: [], durationMs: 0 }, recycle: true };
  }
}

port.on('message', (raw: unknown) => {
  // A malformed request is a bug in the pool: let it crash this thread so the pool hears of it.
  const request = ZCodeRequest.parse(raw);
  void evaluate(request).then((message) => port.postMessage(message));
});

// The default limit's module is ready before the first request.
await moduleFor(32);
port.postMessage({ type: 'ready' } satisfies TCodeWorkerMessage);
