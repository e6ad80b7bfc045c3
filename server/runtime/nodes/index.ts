import 'server-only';
import { actionCall } from '@/server/runtime/nodes/action-call';
import { codeJs } from '@/server/runtime/nodes/code-js';
import { logMessage } from '@/server/runtime/nodes/log-message';
import { controlCallWorkflow } from '@/server/runtime/nodes/control-call-workflow';
import { controlFail } from '@/server/runtime/nodes/control-fail';
import { controlForEach } from '@/server/runtime/nodes/control-for-each';
import { controlIf } from '@/server/runtime/nodes/control-if';
import { controlParallel } from '@/server/runtime/nodes/control-parallel';
import { controlReturn } from '@/server/runtime/nodes/control-return';
import { controlSwitch } from '@/server/runtime/nodes/control-switch';
import { controlTryCatch } from '@/server/runtime/nodes/control-try-catch';
import { eventWait } from '@/server/runtime/nodes/event-wait';
import { humanTask } from '@/server/runtime/nodes/human-task';
import type { TNodeDescriptor } from '@/server/runtime/nodes/node-descriptor';
import { isNodeType } from '@/model/nodes/node-shapes';
import type { TNodeType } from '@/model/nodes/node-shape';
import { stateSet } from '@/server/runtime/nodes/state-set';
import { timeDelay } from '@/server/runtime/nodes/time-delay';
import { transformAssign } from '@/server/runtime/nodes/transform-assign';

/** One descriptor per node type, filed under its own type. */
export type TCompleteNodeRegistry = { [K in TNodeType]: TNodeDescriptor<K> };

/**
 * Every node type's descriptor, in palette order. The `satisfies` clause makes a type in
 * NODE_TYPES without a descriptor (or a descriptor filed under the wrong type) a compile error.
 */
export const NODE_REGISTRY = {
  'transform.assign': transformAssign,
  'state.set': stateSet,
  'action.call': actionCall,
  'event.wait': eventWait,
  'human.task': humanTask,
  'time.delay': timeDelay,
  'control.if': controlIf,
  'control.switch': controlSwitch,
  'control.forEach': controlForEach,
  'control.parallel': controlParallel,
  'control.tryCatch': controlTryCatch,
  'control.callWorkflow': controlCallWorkflow,
  'control.return': controlReturn,
  'control.fail': controlFail,
  'code.js': codeJs,
  log: logMessage,
} as const satisfies TCompleteNodeRegistry;

/** The descriptor of a step's `type`, or null for a type Pipewright does not know. */
export function getNodeDescriptor(type: string): TNodeDescriptor | null {
  return isNodeType(type) ? NODE_REGISTRY[type] : null;
}
