import 'server-only';
import { z } from 'zod';
import { ZRole } from '@/model/roles';

export const ZMemberRecord = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: ZRole,
  joinedAt: z.string(),
});
export type TMemberRecord = z.infer<typeof ZMemberRecord>;

export const ZEmail = z.string().trim().toLowerCase().email('not an email address').max(254);
