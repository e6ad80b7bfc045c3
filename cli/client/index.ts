/** `pipewright/client`: the typed client for /api/v1 that the CLI uses, for scripts and tests. */
export { PipewrightClient, TERMINAL_STATUSES, apiBase, type TClientOptions } from './pipewright-client';
export { PipewrightApiError, PipewrightConnectionError } from './api-error';
export { OPERATIONS, type TApiProblem, type TDocument, type TRun, type TRunEvent, type TWorkflow } from './operations';
export { readEventStream, type TServerSentEvent } from './read-event-stream';
