import { Badge } from '@/components/ui/badge';

/** Marks a test run of a draft ("Run draft"), saying when its outside effects were mocked. */
export function RunTestBadge({ run }: { run: { test: boolean; mockActions: boolean } }) {
  if (!run.test) return null;
  return (
    <span title={run.mockActions ? 'A test run of a draft; outside effects mocked' : 'A test run of a draft'}>
      <Badge tone="accent">{run.mockActions ? 'Test · mocked' : 'Test'}</Badge>
    </span>
  );
}
