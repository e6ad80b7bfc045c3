'use client';

import { createContext, useContext } from 'react';
import type { TScopeEntry } from '@/model/designer/expression-scope';
import type { TProblem } from '@/model/definition/problem';

/** What every field of a config form needs besides its own value. */
export type TConfigContext = {
  readOnly: boolean;
  /** Problems keyed by their path relative to the form's root (`config.input.url`, `retry.maxAttempts`). */
  problems: Map<string, TProblem[]>;
  /** The field to highlight (relative path), e.g. from a clicked problem. */
  focusPath: string | null;
  /** The envelope names an expression in a given field can read. */
  scopeFor: (field: string) => TScopeEntry[];
  /** Names declared in `env.secrets` (usable as `{ "$secret": name }` in action inputs) → tenant secret name. */
  secretRefs: Record<string, string>;
  /** `env.vars`, as the "try it" sample's env. */
  envValues: Record<string, string>;
  workflowKey: string;
  /** A prefix for DOM ids, so two forms on a page never share one. */
  idPrefix: string;
};

const ConfigContext = createContext<TConfigContext | null>(null);

export const ConfigContextProvider = ConfigContext.Provider;

export function useConfigContext(): TConfigContext {
  const context = useContext(ConfigContext);
  if (!context) throw new Error('useConfigContext outside a ConfigContextProvider');
  return context;
}

/** A DOM id for the control at `path` (`config.input.url` → `cfg-x-config-input-url`). */
export function controlId(context: Pick<TConfigContext, 'idPrefix'>, path: string): string {
  return `${context.idPrefix}-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/** Groups problems by path relative to `base` (the step's path from the document root), dropping the base. */
export function problemsByPath(problems: readonly TProblem[], base: string): Map<string, TProblem[]> {
  const map = new Map<string, TProblem[]>();
  for (const problem of problems) {
    let path = problem.path;
    if (base && path === base) path = '';
    else if (base && path.startsWith(`${base}.`)) path = path.slice(base.length + 1);
    const list = map.get(path) ?? [];
    list.push(problem);
    map.set(path, list);
  }
  return map;
}
