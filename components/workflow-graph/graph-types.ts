/**
 * What the graph needs of a workflow definition: its steps, each with the config that holds
 * its nested pipes. A published version document and a designer's draft both fit, including
 * a draft whose config is still half written.
 */
export type TGraphStep = {
  id: string;
  type: string;
  name?: string;
  config?: Record<string, unknown>;
  disabled?: boolean;
};
export type TGraphDefinition = { steps: ReadonlyArray<TGraphStep> };

/** A nested pipe of a block step, e.g. the `then` branch of an if. */
export type TGraphPipe = { path: string; label: string; steps: TGraphStep[] };

/** How a step did in a run, for colouring its node. */
export type TGraphStepStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'WAITING' | 'SKIPPED' | 'CANCELED';
