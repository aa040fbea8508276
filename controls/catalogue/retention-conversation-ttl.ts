import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const TABLE = 'AWS::DynamoDB::Table';

export default defineControl({
  id: 'retention.conversation-ttl',
  title: 'Conversation tables expire records through DynamoDB TTL',
  commitment: 'WhatsApp/chat conversation records: 30 days via DynamoDB TTL where configured (Addendum §22).',
  severity: 'medium',
  schedule: '45 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([TABLE], { [TABLE]: ['supplementaryConfiguration.TimeToLiveDescription'] }),
  evaluate(e, settings) {
    const pattern = new RegExp(settings.requirements.conversationTablePattern, 'i');
    const tables = production(e, TABLE).filter((t) => pattern.test(String(t.configuration.tableName ?? t.resourceName ?? t.resourceId)));
    const findings: Finding[] = [];
    for (const t of tables) {
      const status = get(t.supplementaryConfiguration, 'TimeToLiveDescription.timeToLiveStatus');
      if (status !== 'ENABLED')
        findings.push(finding(t, `conversation table ${label(t)} has TTL ${typeof status === 'string' ? status : 'not configured'}; expected ENABLED`));
    }
    return verdict(e, { inScope: tables.length, findings, what: 'production conversation tables' });
  },
  remediation:
    'aws dynamodb update-time-to-live --table-name NAME --time-to-live-specification Enabled=true,AttributeName=expiresAt (write expiresAt = created + 30 days).',
});
