import { nestedDefinition, smallDefinition } from '@/bench/lib/nested-definition';
import { variedDefinition } from '@/bench/lib/varied-definition';

/** A definition the problem check is timed on (bench/check-definition.ts) and whose problems are recorded (problems-recorded.test.ts). */
export type TCheckWorkload = { name: string; steps: number; document: Record<string, unknown> };

/**
 * The designer bench's workflows (10, 300 and 1,000 steps, nested 5 deep, no problems) and
 * the data flow bench's varied ones (300 and 1,000 steps, nested 4 deep, over a thousand
 * problems at 1,000: wrong field types, unknown paths, missing fields).
 */
export function checkWorkloads(): TCheckWorkload[] {
  const varied = (size: number) => ({
    key: `bench-varied-${size}`,
    name: `Varied (${size} steps)`,
    ...variedDefinition(size, size),
  });
  return [
    { name: 'nested-10', steps: 10, document: smallDefinition('bench-nested-10') },
    { name: 'nested-300', steps: 300, document: nestedDefinition('bench-nested-300') },
    { name: 'nested-1000', steps: 1000, document: nestedDefinition('bench-nested-1000', { groups: 33, tail: 10 }) },
    { name: 'varied-300', steps: 300, document: varied(300) },
    { name: 'varied-1000', steps: 1000, document: varied(1000) },
  ];
}
