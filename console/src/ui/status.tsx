import type { ControlStatus, RunStatus } from '../api/models.ts';

const LABEL: Record<string, string> = {
  pass: 'Passing',
  fail: 'Failing',
  error: 'Error',
  not_applicable: 'Not applicable',
  stale: 'Stale',
  never_run: 'Never run',
  running: 'Running',
  abandoned: 'Abandoned',
  unknown_control: 'Unknown control',
  ready: 'Ready',
  ready_by_exception: 'Ready by exception',
  not_ready: 'Not ready',
  met: 'Met',
  met_by_exception: 'Met by exception',
  partial: 'Partial',
  not_met: 'Not met',
  not_assessed: 'Not assessed',
  allow: 'Allow',
  deny: 'Deny',
  building: 'Building',
  refused: 'Refused',
  failed: 'Failed',
  active: 'Active',
  revoked: 'Revoked',
  configured: 'Configured',
  missing: 'Missing',
};

export const statusLabel = (s: string): string => LABEL[s] ?? s.replace(/_/g, ' ');

const TONE: Record<string, string> = {
  pass: 'good',
  ready: 'good',
  met: 'good',
  ready_by_exception: 'excepted',
  met_by_exception: 'excepted',
  partial: 'warn',
  not_met: 'bad',
  allow: 'good',
  active: 'good',
  configured: 'good',
  missing: 'bad',
  fail: 'bad',
  error: 'bad',
  not_ready: 'bad',
  deny: 'bad',
  refused: 'bad',
  failed: 'bad',
  stale: 'warn',
  never_run: 'warn',
  running: 'info',
  abandoned: 'warn',
  building: 'info',
};

const ICON: Record<string, string> = { good: '✓', bad: '✕', warn: '!', info: '…', neutral: '–', excepted: '⚑' };

/** A status as words plus colour plus a glyph: never colour alone. */
export function StatusBadge(props: { status: ControlStatus | RunStatus | string; label?: string }) {
  const tone = TONE[props.status] ?? 'neutral';
  return (
    <span className={`badge badge-${tone}`}>
      <span aria-hidden="true">{ICON[tone]}</span>
      <span>{props.label ?? statusLabel(props.status)}</span>
    </span>
  );
}
