import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, isProduction, ofType, verdict } from './inventory-evidence.ts';

const API = 'AWS::ApiGatewayV2::Api';
const STAGE = 'AWS::ApiGatewayV2::Stage';
const REQUIRED = ['$context.requestId', '$context.status'];

/** What is wrong with an access-log format, or [] when it is PII-safe structured JSON. */
export function formatProblems(format: unknown): string[] {
  if (typeof format !== 'string' || !format.trim()) return ['no log format'];
  const problems: string[] = [];
  try {
    const parsed = JSON.parse(format);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push('format is not a JSON object');
  } catch {
    problems.push('format is not JSON (structured fields required)');
  }
  for (const r of REQUIRED) if (!format.includes(r)) problems.push(`format lacks ${r}`);
  for (const m of format.matchAll(/\$context\.authorizer\.(?:jwt\.)?claims\.([A-Za-z0-9_:.\-]+)/g)) {
    if (m[1] !== 'sub') problems.push(`format logs authorizer claim ${m[1]} (only sub is PII-safe)`);
  }
  if (/\$context\.authorizer\.(?:jwt\.)?claims(?![.\w])/.test(format)) problems.push('format logs every authorizer claim');
  return problems;
}

export default defineControl({
  id: 'logging.api-access-logs',
  title: 'Production API stages log PII-safe structured access logs',
  commitment: 'API Gateway access logging enabled with PII-safe structured fields (Addendum §28).',
  frameworks: ['ADDENDUM:28.6', 'SPAPI-DPP:7.1', 'GOOGLE:CASA-7.1'],
  severity: 'high',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence: inventoryEvidence,
  collect: collectInventory([API, STAGE]),
  evaluate(e) {
    const apis = new Map(ofType(e, API).map((a) => [a.resourceId, a]));
    const stages = ofType(e, STAGE).filter((s) => {
      const api = apis.get(String(s.configuration.apiId ?? ''));
      return api ? isProduction(api) : isProduction(s);
    });
    const findings: Finding[] = [];
    for (const s of stages) {
      const name = `${String(s.configuration.apiId ?? '?')}/${String(s.configuration.stageName ?? s.resourceName ?? s.resourceId)}`;
      const dest = get(s.configuration, 'accessLogSettings.destinationArn');
      if (typeof dest !== 'string' || !dest) {
        findings.push(finding(s, `production stage ${name} has no access log destination`));
        continue;
      }
      const problems = formatProblems(get(s.configuration, 'accessLogSettings.format'));
      if (problems.length) findings.push(finding(s, `production stage ${name}: ${problems.join('; ')}`));
    }
    return verdict(e, { inScope: stages.length, findings, what: 'production stages' });
  },
  remediation:
    'Set access logging on every production stage to a CloudWatch log group with a JSON format that includes $context.requestId and $context.status and, of the authorizer claims, only $context.authorizer.claims.sub (aws apigatewayv2 update-stage --access-log-settings ...).',
});
