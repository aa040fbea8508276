import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const TABLE = 'AWS::DynamoDB::Table';

export default defineControl({
  id: 'backup.dynamodb-pitr',
  title: 'Production DynamoDB tables have point-in-time recovery',
  commitment: 'Backups and recovery of platform data (Addendum §21).',
  severity: 'medium',
  schedule: '50 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([TABLE]),
  evaluate(e) {
    const tables = production(e, TABLE);
    const findings: Finding[] = [];
    for (const t of tables) {
      const status = get(t.supplementaryConfiguration, 'ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus');
      if (status !== 'ENABLED')
        findings.push(finding(t, `production table ${label(t)} has point-in-time recovery ${typeof status === 'string' ? status : 'not configured'}`));
    }
    return verdict(e, { inScope: tables.length, findings, what: 'production tables' });
  },
  remediation: 'aws dynamodb update-continuous-backups --table-name NAME --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true',
});
