import 'server-only';
import { z } from 'zod';
import { CONNECTION_TYPES, type TConnectionType } from '@/model/connections/connection-config';

/** A workflow that names a connection in one of its steps (its draft or latest published version). */
export const ZConnectionUse = z.object({ workflowKey: z.string(), workflowName: z.string() });
export type TConnectionUse = z.infer<typeof ZConnectionUse>;

/** A connection as the API and UI show it (SPEC §11): everything but its secret fields, which are only named. */
export const ZConnectionRecord = z.object({
  name: z.string(),
  type: z.enum(CONNECTION_TYPES),
  description: z.string(),
  config: z.record(z.unknown()),
  /** Which secret fields are set (`apiKey`, `auth.token`…); their values are never returned. */
  secretFields: z.array(z.string()),
  usedBy: z.array(ZConnectionUse),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TConnectionRecord = z.infer<typeof ZConnectionRecord>;

export function toConnectionRecord(
  row: {
    name: string;
    type: TConnectionType;
    description: string;
    config: Record<string, unknown>;
    secret_fields: string[];
    created_at: Date;
    updated_at: Date;
  },
  usedBy: TConnectionUse[],
): TConnectionRecord {
  return {
    name: row.name,
    type: row.type,
    description: row.description,
    config: row.config,
    secretFields: row.secret_fields,
    usedBy,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The name a connection's sealed config is bound to: `:` cannot occur in a secret's name, so the two never collide. */
export function connectionSealName(name: string): string {
  return `connection:${name}`;
}
