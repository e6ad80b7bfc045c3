import 'server-only';
import { revalidatePath } from 'next/cache';
import type { z } from 'zod';
import type { TServerActionError, TServerAction } from '@/model/server-action-result';
import { assertSameOriginAction, authorize } from '@/server/auth/authorize';
import type { TAuthContext } from '@/server/auth/context';
import type { TPermission } from '@/model/roles';
import { getDb, type Db } from '@/server/db/database';
import { assertStorableJson } from '@/server/db/storable-json';
import { toAppError, validationErrorFromZod, type AppError, type TFieldIssue } from '@/model/errors';

type TActionOptions<S extends z.ZodTypeAny> = {
  /** Checked on every call: the browser can call any action directly, whatever the UI shows. */
  permission: TPermission;
  input: S;
  /** Paths whose server-rendered data the action changes. */
  revalidate?: string[];
};

function isFieldIssueList(details: unknown): details is TFieldIssue[] {
  return (
    Array.isArray(details) &&
    details.every(
      (d) =>
        typeof d === 'object' &&
        d !== null &&
        typeof (d as TFieldIssue).path === 'string' &&
        typeof (d as TFieldIssue).message === 'string',
    )
  );
}

function toServerActionError(error: AppError): TServerActionError {
  if (!isFieldIssueList(error.details) || error.details.length === 0)
    return { code: error.code, message: error.message };
  const fields: Record<string, string> = {};
  // The first message per field is the one to show next to it.
  for (const issue of error.details) fields[issue.path] ??= issue.message;
  return { code: error.code, message: error.message, fields };
}

/**
 * The one wrapper every server action goes through: check the request came from our own
 * pages, authorize, parse the input with zod,
 * run the handler, map any error to a result the form can show.
 *
 * @example
 * export const removeMemberAction = defineServerAction({ permission: 'member.manage', input: ZRemoveMember },
 *   ({ db, ctx, input }) => removeMember({ db, ctx, input }));
 */
export function defineServerAction<S extends z.ZodTypeAny, R>(
  options: TActionOptions<S>,
  handler: (args: { ctx: TAuthContext; db: Db; input: z.infer<S> }) => Promise<R>,
): TServerAction<R> {
  return async (raw: unknown) => {
    try {
      // Before the session is even read: a cookie the browser attached to another site's request is no authority.
      await assertSameOriginAction();
      const ctx = await authorize(options.permission);
      // A form's text can carry \u0000 as well as an API body can; refused the same way (422 naming the field).
      assertStorableJson(raw, 'input');
      const parsed = options.input.safeParse(raw);
      if (!parsed.success) throw validationErrorFromZod(parsed.error);
      const data = await handler({ ctx, db: getDb(), input: parsed.data });
      for (const path of options.revalidate ?? []) revalidatePath(path, 'layout');
      return { ok: true, data };
    } catch (error) {
      const appError = toAppError(error);
      // Unknown failures reach the browser as a generic message; the detail stays in the log.
      if (appError.code === 'INTERNAL' || appError.code === 'CONFIG')
        console.error(`[action] ${options.permission} failed:`, error);
      return { ok: false, error: toServerActionError(appError) };
    }
  };
}
