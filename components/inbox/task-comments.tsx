'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { addTaskCommentAction } from '@/app/(app)/inbox/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { TimeText } from '@/components/ui/time-text';
import type { TTaskComment } from '@/server/tasks/task-comments';

/** A task's comments, oldest first, and (for those who may) a box to add one. */
export function TaskComments({
  taskId,
  comments,
  canComment,
}: {
  taskId: string;
  comments: TTaskComment[];
  canComment: boolean;
}) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(addTaskCommentAction);
  const [text, setText] = useState('');
  return (
    <div className="flex flex-col gap-4 text-sm">
      {comments.length === 0 ? (
        <p className="text-ink-muted">No comments yet.</p>
      ) : (
        <ol className="flex flex-col gap-3" aria-label="Comments">
          {comments.map((comment) => (
            <li key={comment.id} className="rounded-md border border-line bg-subtle/40 p-3" data-task-comment>
              <p className="mb-1 text-[13px] text-ink-muted">
                <span className="font-medium break-all text-ink">{comment.author}</span> ·{' '}
                <TimeText iso={comment.createdAt} withTime />
              </p>
              <p className="break-words whitespace-pre-wrap">{comment.text}</p>
            </li>
          ))}
        </ol>
      )}
      {canComment && (
        <form
          className="flex flex-col gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            run({ id: taskId, text }, () => {
              setText('');
              router.refresh();
            });
          }}
        >
          {/* Not just "Comment": a task's own form often has a field of that name. */}
          <label htmlFor="task-comment" className="sr-only">
            New comment
          </label>
          <textarea
            id="task-comment"
            value={text}
            onChange={(event) => setText(event.target.value)}
            rows={3}
            maxLength={5000}
            placeholder="Add a comment for the other approvers"
            className="w-full rounded-md border border-line-strong bg-surface px-3 py-2 text-sm text-ink placeholder:text-ink-faint focus-visible:border-accent"
          />
          <div>
            <Button type="submit" size="sm" loading={pending} disabled={text.trim() === ''}>
              Comment
            </Button>
          </div>
          <FormError message={error ? error.message : null} />
        </form>
      )}
    </div>
  );
}
