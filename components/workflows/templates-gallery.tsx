'use client';

import { LayoutTemplate } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { importTemplateAction } from '@/app/(app)/workflows/server-actions';
import { useServerAction } from '@/components/forms/use-server-action';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FormError } from '@/components/ui/field';
import type { TTemplateSummary } from '@/server/templates/workflow-templates';

/**
 * The templates gallery (SPEC §9): ready workflows, each imported as a new draft (a taken key
 * gets a -2, -3… suffix) and opened in the designer.
 */
export function TemplatesGallery({
  templates,
  defaultOpen = false,
  variant = 'secondary',
}: {
  templates: TTemplateSummary[];
  defaultOpen?: boolean;
  variant?: 'primary' | 'secondary';
}) {
  const router = useRouter();
  const [open, setOpen] = useState(defaultOpen);
  const [chosen, setChosen] = useState<string | null>(null);
  const { pending, error, run } = useServerAction(importTemplateAction);
  const use = (id: string) => {
    setChosen(id);
    run({ id }, (imported) => router.push(`/workflows/${imported.key}`));
  };
  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)}>
        <LayoutTemplate className="size-4" aria-hidden />
        Templates
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        size="lg"
        title="Start from a template"
        description="Each one is a working workflow, imported as a new draft you can change before publishing."
      >
        <FormError message={error?.message} />
        <ul aria-label="Templates" className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          {templates.map((template) => (
            <li
              key={template.id}
              aria-label={template.name}
              className="flex min-w-0 flex-col gap-2 rounded-lg border border-line bg-surface p-3"
            >
              <h3 className="text-sm font-semibold text-ink">{template.name}</h3>
              <p className="flex-1 text-[13px] text-ink-muted">{template.summary}</p>
              <div className="flex flex-wrap gap-1">
                {template.tags.map((tag) => (
                  <Badge key={tag}>{tag}</Badge>
                ))}
              </div>
              <div className="flex items-center justify-between gap-2">
                <span className="text-[12px] text-ink-faint">
                  {template.steps} step{template.steps === 1 ? '' : 's'}
                </span>
                <Button
                  size="sm"
                  variant="primary"
                  loading={pending && chosen === template.id}
                  disabled={pending}
                  onClick={() => use(template.id)}
                  aria-label={`Use template ${template.name}`}
                >
                  Use template
                </Button>
              </div>
            </li>
          ))}
        </ul>
      </Dialog>
    </>
  );
}
