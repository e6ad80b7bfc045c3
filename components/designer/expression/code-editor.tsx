'use client';

import dynamic from 'next/dynamic';
import type { MutableRefObject } from 'react';
import type { TScopeEntry } from '@/model/designer/expression-scope';

export type TCodeLanguage = 'jsonata' | 'template' | 'javascript' | 'json';

/** What the owner of an editor can ask of it (the field picker inserts at the caret). */
export type TCodeEditorHandle = {
  selection: () => { from: number; to: number };
  focusAt: (caret: number) => void;
};

export type TCodeEditorProps = {
  /** The id of the editable element (a `<label htmlFor>` cannot label it: pass `labelledBy`). */
  id: string;
  language: TCodeLanguage;
  value: string;
  onChange: (value: string) => void;
  /** The id of the visible label; `label` is the accessible name when there is none. */
  labelledBy?: string;
  label?: string;
  describedBy?: string;
  invalid?: boolean;
  readOnly?: boolean;
  placeholder?: string;
  /** Completions for JSONata and templates: the paths readable here, with their types. */
  scope?: readonly TScopeEntry[];
  handle?: MutableRefObject<TCodeEditorHandle | null>;
};

/**
 * A CodeMirror 6 editor for JSONata, templates, JavaScript and JSON: highlighting, bracket
 * matching, inline syntax errors, and completion of envelope paths and JSONata functions.
 * CodeMirror loads on demand (its own chunk, not the designer's first paint); until then the
 * text shows read-only in the same box.
 */
export const CodeEditor = dynamic<TCodeEditorProps>(
  () => import('@/components/designer/expression/code-editor-view').then((module) => module.CodeEditorView),
  {
    ssr: false,
    loading: () => (
      <div
        className="min-h-9 w-full animate-pulse rounded-md border border-line-strong bg-surface"
        data-testid="code-editor-loading"
        aria-hidden
      />
    ),
  },
);
