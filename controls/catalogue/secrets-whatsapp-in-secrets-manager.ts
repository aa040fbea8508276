import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const SECRET = 'AWS::SecretsManager::Secret';

export default defineControl({
  id: 'secrets.whatsapp-in-secrets-manager',
  title: 'WhatsApp credentials live in Secrets Manager',
  commitment: 'WhatsApp credentials stored in Secrets Manager (Addendum §28); integration credentials rotated (§22).',
  severity: 'high',
  schedule: '25 * * * *',
  freshFor: '26h',
  evidence: inventoryEvidence,
  collect: collectInventory([SECRET]),
  evaluate(e, settings) {
    const pattern = new RegExp(settings.requirements.whatsappSecretPattern, 'i');
    const secrets = production(e, SECRET).filter((s) => pattern.test(String(s.configuration.name ?? s.resourceName ?? s.resourceId)));
    const findings: Finding[] = secrets
      .filter((s) => s.configuration.rotationEnabled !== true)
      .map((s) => finding(s, `secret ${label(s)} holds WhatsApp credentials but rotation is not enabled`, 'info'));
    if (secrets.length === 0) {
      findings.push({
        resourceId: `secretsmanager:/${settings.requirements.whatsappSecretPattern}/`,
        message: 'no production Secrets Manager secret holds the WhatsApp credentials',
      });
    }
    return verdict(e, { inScope: 1, findings, what: 'WhatsApp secrets' });
  },
  remediation:
    'Store the WhatsApp Business API token and app secret in AWS Secrets Manager (name matching the configured pattern), read them at run time, and turn on rotation.',
});
