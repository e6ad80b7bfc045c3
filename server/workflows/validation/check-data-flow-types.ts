import 'server-only';
import type { TProblem } from '@/model/definition/problem';
import type { TVersionDocumentInput } from '@/model/definition/version-document';
import { checkDataFlow, type TDataFlowSchemas } from '@/model/designer/check-data-flow';
import { listActionTypes } from '@/server/runtime/registry/list-action-types';
import { listNodeTypes } from '@/server/runtime/registry/list-node-types';

// The registry is fixed for the life of the process; its JSON Schemas are built once.
let schemas: TDataFlowSchemas | null = null;

function registrySchemas(): TDataFlowSchemas {
  if (schemas) return schemas;
  const nodes = listNodeTypes();
  const actions = listActionTypes();
  schemas = {
    nodes: Object.fromEntries(nodes.map((node) => [node.type, node.outputSchema])),
    configs: Object.fromEntries(nodes.map((node) => [node.type, node.configSchema])),
    actions: Object.fromEntries(actions.map((action) => [action.ref, action.outputSchema])),
    inputs: Object.fromEntries(actions.map((action) => [action.ref, action.inputSchema])),
  };
  return schemas;
}

/** The typed data flow warnings of a document (SPEC §9), against the registry's schemas: never errors. */
export function checkDataFlowTypes(document: Record<string, unknown>): TProblem[] {
  return checkDataFlow({ definition: document as TVersionDocumentInput, schemas: registrySchemas() });
}
