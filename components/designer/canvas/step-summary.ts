import type { TStep } from '@/model/definition/step';

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && '$expr' in value) return `= ${String((value as { $expr: unknown }).$expr)}`;
  if (typeof value === 'object' && '$template' in value)
    return `“${String((value as { $template: unknown }).$template)}”`;
  if (typeof value === 'object' && '$secret' in value)
    return `secret ${String((value as { $secret: unknown }).$secret)}`;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function count(value: unknown, noun: string): string {
  const n = Array.isArray(value) ? value.length : 0;
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** One line saying what a step is set to do, for its card (`GET https://…`, `if = payload.amount > 1000`). */
export function summarizeStep(step: TStep): string {
  const config = (step.config ?? {}) as Record<string, unknown>;
  const input = (typeof config.input === 'object' && config.input !== null ? config.input : {}) as Record<
    string,
    unknown
  >;
  switch (step.type) {
    case 'action.call': {
      const ref = config.action ? `${String(config.action)}@${String(config.version ?? '?')}` : 'no action chosen';
      const detail = [text(input.method), text(input.url ?? input.to ?? input.event)].filter(Boolean).join(' ');
      return [ref, detail, config.saveAs ? `→ ${text(config.saveAs)}` : ''].filter(Boolean).join(' · ');
    }
    case 'transform.assign':
      return (
        Object.keys(typeof config.assign === 'object' && config.assign !== null ? config.assign : {}).join(', ') ||
        'nothing assigned yet'
      );
    case 'state.set':
      return `state ${text(config.state) || '—'}`;
    case 'event.wait':
      return [`event ${text(config.event) || '—'}`, config.correlationKey ? `key ${text(config.correlationKey)}` : '']
        .filter(Boolean)
        .join(' · ');
    case 'human.task':
      return [
        text(config.title) || 'untitled task',
        Array.isArray(config.outcomes) ? config.outcomes.map(String).join(' / ') : '',
      ]
        .filter(Boolean)
        .join(' · ');
    case 'time.delay':
      return config.until !== undefined ? `until ${text(config.until)}` : `${text(config.durationMs) || '—'} ms`;
    case 'control.if':
      return `if ${text(config.condition) || '—'}`;
    case 'control.switch':
      return `on ${text(config.value) || '—'} · ${count(config.cases, 'case')}`;
    case 'control.forEach':
      return `each of ${text(config.items) || '—'}${config.concurrency ? ` · ${text(config.concurrency)} at a time` : ''}`;
    case 'control.parallel':
      return count(config.branches, 'branch').replace('branchs', 'branches');
    case 'control.tryCatch':
      return 'try · catch · finally';
    case 'control.callWorkflow':
      return `workflow ${text(config.workflow) || '—'}${config.version !== undefined ? ` v${text(config.version)}` : ''}`;
    case 'control.return':
      return config.output === undefined ? 'end the run' : `return ${text(config.output)}`;
    case 'control.fail':
      return `${text(config.code) || '—'}: ${text(config.message)}`;
    case 'code.js': {
      const first =
        typeof config.source === 'string' ? (config.source.split('\n').find((line) => line.trim() !== '') ?? '') : '';
      return [first.trim() || 'no code yet', config.saveAs ? `→ ${text(config.saveAs)}` : '']
        .filter(Boolean)
        .join(' · ');
    }
    case 'log':
      return `${text(config.level) || 'info'}: ${text(config.message) || '—'}`;
    default:
      return '';
  }
}
