import { Lock } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import type { TRole } from '@/model/roles';

/** Shown instead of a settings page the person's role may not see. */
export function ForbiddenPanel({ role, what }: { role: TRole; what: string }) {
  return (
    <EmptyState icon={Lock} title="You need the admin role for this">
      Your role in this tenant is <strong className="font-medium text-ink">{role}</strong>. Ask an admin of this tenant
      if you need to {what}.
    </EmptyState>
  );
}
