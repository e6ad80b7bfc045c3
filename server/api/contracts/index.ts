import 'server-only';
import type { TContract } from '@/server/api/contract';
import * as artifacts from '@/server/api/contracts/artifacts';
import * as authoring from '@/server/api/contracts/authoring';
import * as testing from '@/server/api/contracts/testing';
import * as connections from '@/server/api/contracts/connections';
import * as admin from '@/server/api/contracts/admin';
import * as events from '@/server/api/contracts/events';
import * as expressions from '@/server/api/contracts/expressions';
import * as operations from '@/server/api/contracts/operations';
import * as registry from '@/server/api/contracts/registry';
import * as runs from '@/server/api/contracts/runs';
import * as secrets from '@/server/api/contracts/secrets';
import * as system from '@/server/api/contracts/system';
import * as tasks from '@/server/api/contracts/tasks';
import * as templates from '@/server/api/contracts/templates';
import * as triggers from '@/server/api/contracts/triggers';
import * as workflows from '@/server/api/contracts/workflows';

function contractsOf(module: Record<string, unknown>): TContract[] {
  return Object.values(module).filter(
    (value): value is TContract => typeof value === 'object' && value !== null && 'operationId' in value,
  );
}

/** Every operation of /api/v1. A route file whose operation is missing here fails openapi.test.ts. */
export const ALL_CONTRACTS: TContract[] = [
  ...contractsOf(system),
  ...contractsOf(secrets),
  ...contractsOf(connections),
  ...contractsOf(registry),
  ...contractsOf(workflows),
  ...contractsOf(expressions),
  ...contractsOf(runs),
  ...contractsOf(artifacts),
  ...contractsOf(tasks),
  ...contractsOf(events),
  ...contractsOf(templates),
  ...contractsOf(triggers),
  ...contractsOf(operations),
  ...contractsOf(authoring),
  ...contractsOf(testing),
  ...contractsOf(admin),
];
