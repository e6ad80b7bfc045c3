import {
  CircleCheck,
  CircleX,
  Code,
  Columns3,
  Database,
  GitBranch,
  Globe,
  Mail,
  Plug,
  Radio,
  RadioReceiver,
  Repeat,
  Repeat2,
  ScrollText,
  ShieldAlert,
  Sparkles,
  Split,
  Square,
  Tag,
  Timer,
  UserCheck,
  Variable,
  Webhook,
  Workflow,
  Zap,
  type LucideIcon,
} from 'lucide-react';

// The registry names icons (node-registry.test.ts checks they exist in lucide); a static map keeps
// them in the bundle instead of 300 lazy icon loads that would pop in after the cards.
export const STEP_ICONS = {
  zap: Zap,
  workflow: Workflow,
  'circle-x': CircleX,
  'circle-check': CircleCheck,
  repeat: Repeat,
  'repeat-2': Repeat2,
  'git-branch': GitBranch,
  'columns-3': Columns3,
  split: Split,
  'shield-alert': ShieldAlert,
  'radio-receiver': RadioReceiver,
  radio: Radio,
  'user-check': UserCheck,
  tag: Tag,
  timer: Timer,
  variable: Variable,
  globe: Globe,
  mail: Mail,
  webhook: Webhook,
  database: Database,
  sparkles: Sparkles,
  plug: Plug,
  code: Code,
  'scroll-text': ScrollText,
} as const satisfies Record<string, LucideIcon>;

/** The lucide icon the registry names for a node type or action; a plain square for an unknown one. */
export function StepIcon({ name, className }: { name: string | undefined; className?: string }) {
  const Icon = (name && (STEP_ICONS as Record<string, LucideIcon>)[name]) || Square;
  return <Icon className={className} aria-hidden />;
}
