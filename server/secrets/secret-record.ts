import 'server-only';
import { z } from 'zod';

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
export const ZSecretName = z
  .string()
  .regex(SECRET_NAME_PATTERN, 'use 1–128 letters, digits, dots, dashes or underscores');

/** A secret as the API and UI show it: never the value (SPEC §6.1). */
export const ZSecretRecord = z.object({
  name: z.string(),
  description: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSecretRecord = z.infer<typeof ZSecretRecord>;

export function toSecretRecord(row: {
  name: string;
  description: string;
  created_at: Date;
  updated_at: Date;
}): TSecretRecord {
  return {
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
