'use client';

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import {
  bracketMatching,
  ensureSyntaxTree,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderText } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useRef, useState } from 'react';
import { jsonataLanguage, templateLanguage } from '@/components/designer/expression/jsonata-language';
import type { TCodeEditorProps } from '@/components/designer/expression/code-editor';
import type { TScopeEntry } from '@/model/designer/expression-scope';
import { jsonDiagnostics, jsonataDiagnostics, templateDiagnostics } from '@/model/designer/code-diagnostics';
import { JSONATA_FUNCTIONS } from '@/model/designer/jsonata-functions';

const highlight = HighlightStyle.define([
  { tag: tags.special(tags.variableName), color: 'var(--color-accent)', fontWeight: '600' },
  { tag: [tags.variableName, tags.function(tags.variableName)], color: 'var(--color-warning)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--color-success)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--color-danger)' },
  { tag: [tags.keyword, tags.operator], color: 'var(--color-ink-muted)', fontWeight: '600' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--color-ink-faint)', fontStyle: 'italic' },
  { tag: tags.meta, color: 'var(--color-accent)', fontWeight: '700' },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--color-ink)' },
  { tag: tags.invalid, color: 'var(--color-danger)', textDecoration: 'underline wavy' },
]);

const theme = EditorView.theme({
  '&': {
    fontSize: '13px',
    backgroundColor: 'var(--color-surface)',
    color: 'var(--color-ink)',
    border: '1px solid var(--color-line-strong)',
    borderRadius: '6px',
    maxWidth: '100%',
  },
  '&.cm-focused': { outline: 'none', borderColor: 'var(--color-accent)' },
  '.cm-scroller': { fontFamily: 'var(--font-mono, ui-monospace, monospace)', lineHeight: '20px', maxHeight: '15rem' },
  '.cm-content': { padding: '7px 0', caretColor: 'var(--color-ink)' },
  '.cm-line': { padding: '0 10px' },
  '.cm-placeholder': { color: 'var(--color-ink-faint)' },
  '&.cm-focused .cm-matchingBracket': {
    backgroundColor: 'var(--color-accent-soft)',
    outline: '1px solid var(--color-accent)',
  },
  '.cm-tooltip': {
    border: '1px solid var(--color-line)',
    backgroundColor: 'var(--color-surface)',
    color: 'var(--color-ink)',
  },
  '.cm-tooltip-autocomplete > ul': {
    maxWidth: 'min(28rem, 90vw)',
    fontFamily: 'var(--font-mono, ui-monospace, monospace)',
  },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'var(--color-accent-soft)',
    color: 'var(--color-ink)',
  },
  '.cm-completionDetail': { color: 'var(--color-ink-faint)', fontStyle: 'normal', marginLeft: '0.75em' },
  '.cm-completionInfo': { maxWidth: '18rem', whiteSpace: 'normal' },
  '.cm-diagnostic-error': { borderLeft: '3px solid var(--color-danger)' },
});

/** Envelope paths (`vars.invoice.status`) and JSONata functions (`$sum(array)`) as completions. */
function jsonataCompletions(scope: () => readonly TScopeEntry[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[$A-Za-z0-9_.`]*$/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const typed = word.text;
    if (typed.startsWith('$')) {
      return {
        from: word.from,
        options: [
          ...scope()
            .filter((entry) => entry.source === 'binding')
            .map((entry) => ({ label: entry.path, type: 'variable', detail: entry.type ?? '', info: entry.detail })),
          ...JSONATA_FUNCTIONS.map((fn) => ({
            label: `$${fn.name}`,
            type: 'function',
            detail: fn.signature,
            info: fn.description,
            apply: `$${fn.name}(`,
          })),
        ],
        validFor: /^\$[A-Za-z0-9_]*$/,
      };
    }
    return {
      from: word.from,
      options: scope()
        .filter((entry) => entry.source !== 'binding')
        .map((entry) => ({
          label: entry.path,
          type: entry.source === 'vars' ? 'variable' : 'property',
          detail: [entry.type ?? 'any', entry.maybe ? 'maybe' : null].filter(Boolean).join(' · '),
          info: `${entry.detail}${entry.maybe ? ' (not on every path to here)' : ''}`,
          boost: entry.path.split('.').length > 2 ? -1 : 0,
        })),
      validFor: /^[A-Za-z0-9_.`]*$/,
    };
  };
}

/** JavaScript syntax errors from the Lezer tree: its error nodes mark where parsing broke down. */
function javascriptDiagnostics(view: EditorView): Diagnostic[] {
  const tree = ensureSyntaxTree(view.state, view.state.doc.length, 500);
  if (!tree) return [];
  const found: Diagnostic[] = [];
  tree.iterate({
    enter: (node) => {
      if (!node.type.isError || found.length > 0) return;
      const from = Math.min(node.from, view.state.doc.length);
      const line = view.state.doc.lineAt(from);
      found.push({
        from,
        to: Math.max(node.to, Math.min(from + 1, view.state.doc.length)),
        severity: 'error',
        message: `Syntax error on line ${line.number}, column ${from - line.from + 1}`,
      });
    },
  });
  return found;
}

function languageOf(props: TCodeEditorProps, report: (diagnostics: Diagnostic[]) => void): Extension[] {
  const lint = (source: (view: EditorView) => Diagnostic[]) => linter(source, { delay: 250 });
  const fromRanges = (check: (text: string) => Array<{ from: number; to: number; message: string }>) =>
    lint((view) => check(view.state.doc.toString()).map((d) => ({ ...d, severity: 'error' as const })));
  switch (props.language) {
    case 'javascript':
      // Tab indents in code; Escape then Tab leaves the editor (CodeMirror's tab focus mode).
      return [
        javascript(),
        lint((view) => {
          const found = javascriptDiagnostics(view);
          report(found);
          return found;
        }),
        keymap.of([indentWithTab]),
        indentOnInput(),
      ];
    case 'json':
      return [json(), fromRanges(jsonDiagnostics)];
    case 'template':
      return [
        templateLanguage,
        fromRanges(templateDiagnostics),
        autocompletion({ override: [jsonataCompletions(() => props.scope ?? [])] }),
      ];
    case 'jsonata':
      return [
        jsonataLanguage,
        fromRanges(jsonataDiagnostics),
        autocompletion({ override: [jsonataCompletions(() => props.scope ?? [])] }),
      ];
  }
}

/** The CodeMirror 6 editor behind `CodeEditor` (loaded on demand; see code-editor.tsx). */
export function CodeEditorView(props: TCodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const readOnly = useRef(new Compartment());
  const aria = useRef(new Compartment());
  // JavaScript's syntax error, spelled out under the editor (JSONata and JSON fields show their own).
  const [syntaxError, setSyntaxError] = useState<string | null>(null);
  const syntaxErrorId = `${props.id}-syntax`;

  useEffect(() => {
    const current = latest.current;
    const created = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: current.value,
        extensions: [
          history(),
          bracketMatching(),
          closeBrackets(),
          EditorView.lineWrapping,
          syntaxHighlighting(highlight),
          theme,
          placeholderText(current.placeholder ?? ''),
          keymap.of([...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...historyKeymap]),
          ...languageOf(current, (found) => setSyntaxError(found[0]?.message ?? null)),
          readOnly.current.of(EditorState.readOnly.of(Boolean(current.readOnly))),
          aria.current.of(EditorView.contentAttributes.of(contentAttributes(current))),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    if (current.handle) current.handle.current = handleOf(created);
    return () => {
      created.destroy();
      view.current = null;
    };
    // The editor is created once; later prop changes are applied below.
  }, []);

  // A value changed from outside (undo in the designer, a picked field, another tab) replaces the text.
  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === props.value) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: props.value } });
  }, [props.value]);

  const attributes = contentAttributes(
    syntaxError ? { ...props, describedBy: [syntaxErrorId, props.describedBy].filter(Boolean).join(' ') } : props,
  );
  const attributesKey = JSON.stringify(attributes);
  useEffect(() => {
    view.current?.dispatch({
      effects: [
        readOnly.current.reconfigure(EditorState.readOnly.of(Boolean(latest.current.readOnly))),
        aria.current.reconfigure(EditorView.contentAttributes.of(JSON.parse(attributesKey) as Record<string, string>)),
      ],
    });
  }, [attributesKey]);

  return (
    <div className="flex min-w-0 flex-col gap-1">
      <div ref={host} className="min-w-0" data-testid="code-editor" data-language={props.language} />
      {syntaxError && (
        <p id={syntaxErrorId} className="text-[12px] text-danger" data-testid="code-syntax-error">
          {syntaxError}
        </p>
      )}
    </div>
  );
}

function contentAttributes(props: TCodeEditorProps): Record<string, string> {
  const attributes: Record<string, string> = {
    id: props.id,
    spellcheck: 'false',
    autocapitalize: 'off',
    autocorrect: 'off',
  };
  if (props.labelledBy) attributes['aria-labelledby'] = props.labelledBy;
  else if (props.label) attributes['aria-label'] = props.label;
  if (props.describedBy) attributes['aria-describedby'] = props.describedBy;
  if (props.invalid) attributes['aria-invalid'] = 'true';
  if (props.readOnly) attributes['aria-readonly'] = 'true';
  return attributes;
}

function handleOf(editor: EditorView) {
  return {
    selection: () => ({ from: editor.state.selection.main.from, to: editor.state.selection.main.to }),
    focusAt: (caret: number) => {
      editor.focus();
      editor.dispatch({ selection: { anchor: Math.min(caret, editor.state.doc.length) } });
    },
  };
}
