import 'server-only';
import { z } from 'zod';
import { ZVersionDocument } from '@/model/definition/version-document';
import apiWithRetries from '@/server/templates/files/api-with-retries.json';
import eventFanOut from '@/server/templates/files/event-fan-out.json';
import invoiceApproval from '@/server/templates/files/invoice-approval.json';
import orderSaga from '@/server/templates/files/order-saga.json';
import scheduledReport from '@/server/templates/files/scheduled-report.json';
import webhookToEmail from '@/server/templates/files/webhook-to-email.json';

/** A gallery template: a version document plus what the gallery shows and an input it runs on. */
export const ZWorkflowTemplate = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,63}$/),
    name: z.string().min(1).max(200),
    summary: z.string().min(1).max(500),
    tags: z.array(z.string().min(1).max(40)).max(8),
    sampleInput: z.record(z.unknown()),
    document: ZVersionDocument,
  })
  .strict();
export type TWorkflowTemplate = z.infer<typeof ZWorkflowTemplate>;

/** What the gallery lists for a template (no document: that is fetched when imported). */
export const ZTemplateSummary = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string(),
  tags: z.array(z.string()),
  steps: z.number().int(),
  nodeTypes: z.array(z.string()),
});
export type TTemplateSummary = z.infer<typeof ZTemplateSummary>;

/**
 * The templates gallery (SPEC §9), in the order it shows them. Each is a data file under
 * files/, parsed here once (a broken file fails at start and in the template test, which also
 * publishes and runs every one).
 */
export const WORKFLOW_TEMPLATES: readonly TWorkflowTemplate[] = [
  invoiceApproval,
  webhookToEmail,
  orderSaga,
  scheduledReport,
  eventFanOut,
  apiWithRetries,
].map((file) => ZWorkflowTemplate.parse(file));

function stepsOf(steps: unknown): Array<{ type: string; config: Record<string, unknown> }> {
  const parsed = z.array(z.object({ type: z.string(), config: z.record(z.unknown()).default({}) })).safeParse(steps);
  if (!parsed.success) return [];
  return parsed.data.flatMap((step) => [
    step,
    ...Object.values(step.config).flatMap((value) =>
      Array.isArray(value)
        ? [
            ...stepsOf(value),
            // control.switch cases and control.parallel branches hold their pipes one level down.
            ...value.flatMap((entry: unknown) =>
              typeof entry === 'object' && entry !== null && 'steps' in entry ? stepsOf(entry.steps) : [],
            ),
          ]
        : [],
    ),
  ]);
}

/** The gallery card of a template: how many steps and which node types it shows off. */
export function summariseTemplate(template: TWorkflowTemplate): TTemplateSummary {
  const steps = stepsOf(template.document.steps);
  return {
    id: template.id,
    name: template.name,
    summary: template.summary,
    tags: template.tags,
    steps: steps.length,
    nodeTypes: [...new Set(steps.map((step) => step.type))],
  };
}

export function findTemplate(id: string): TWorkflowTemplate | undefined {
  return WORKFLOW_TEMPLATES.find((template) => template.id === id);
}
