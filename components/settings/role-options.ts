import { ROLE_DESCRIPTIONS, ROLES } from '@/model/roles';
import type { TSelectOption } from '@/components/ui/select';

export const ROLE_OPTIONS: readonly TSelectOption[] = ROLES.map((role) => ({
  value: role,
  label: role,
  description: ROLE_DESCRIPTIONS[role],
}));
