import 'server-only';
import { createHash } from 'node:crypto';

/**
 * Trace and span ids derived from what the database already names, so the worker that calls
 * out (traceparent) and the exporter that later writes the spans (any worker, any time) agree
 * without sharing any state: a run's trace id is its uuid's 32 hex digits; span ids are the
 * first 16 hex digits of a SHA-256 of what the span stands for.
 */
export const traceIdOf = (runId: string) => runId.replace(/-/g, '').toLowerCase();

const spanId = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The span of the whole run, from start to end, across every worker and wait. */
export const runSpanIdOf = (runId: string) => spanId(`run:${runId}`);
/** The span of one step path (all its attempts); outgoing calls of the step name it as their parent. */
export const stepSpanIdOf = (runId: string, stepPath: string) => spanId(`step:${runId}:${stepPath}`);
/** The span of one attempt (one step record). */
export const attemptSpanIdOf = (stepRecordId: string) => spanId(`attempt:${stepRecordId}`);

/** Whether spans are exported at all (SPEC §8: only with OTEL_EXPORTER_OTLP_ENDPOINT). */
export const tracingEnabled = (env: Record<string, string | undefined> = process.env) =>
  Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

/** The W3C `traceparent` an outgoing call of a step carries, or undefined when tracing is off. */
export function traceparentFor(invocation: { runId: string; stepPath: string }): string | undefined {
  if (!tracingEnabled()) return undefined;
  return `00-${traceIdOf(invocation.runId)}-${stepSpanIdOf(invocation.runId, invocation.stepPath)}-01`;
}
