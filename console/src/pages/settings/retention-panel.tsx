import type { ReactNode } from 'react';
import type { SettingsView } from '../../api/models.ts';
import { Panel } from '../../ui/page.tsx';
import { Section } from './parts.tsx';

function days(n: number): ReactNode {
  const y = Math.round((n / 365) * 10) / 10;
  const years = n >= 365 ? ` (about ${y} ${y === 1 ? 'year' : 'years'})` : '';
  return `${n.toLocaleString()} ${n === 1 ? 'day' : 'days'}${years}`;
}

export function RetentionPanel({ s }: { s: SettingsView }) {
  const r = s.retention;
  const req = s.requirements;
  return (
    <Panel title="Retention">
      <dl className="facts">
        <dt>Authorization decisions</dt>
        <dd>kept {days(r.decisionDays)}</dd>
        <dt>PII reveal audit</dt>
        <dd>kept {days(r.revealDays)}</dd>
        <dt>Evidence records</dt>
        <dd>kept {days(r.evidenceDays)}</dd>
      </dl>
      <Section title="What the controls expect of the platform">
        <dl className="facts">
          <dt>Operational logs kept at least</dt>
          <dd>{days(req.logRetentionDays)}</dd>
          <dt>Buyer PII redacted within</dt>
          <dd>{days(req.redactionAfterDays)}</dd>
          <dt>Control exceptions last at most</dt>
          <dd>
            critical {days(req.exceptionMaxDays.critical)}, high {days(req.exceptionMaxDays.high)}, medium {days(req.exceptionMaxDays.medium)}, low{' '}
            {days(req.exceptionMaxDays.low)}; flagged {days(req.exceptionWarnDays)} before they expire
          </dd>
        </dl>
      </Section>
    </Panel>
  );
}
