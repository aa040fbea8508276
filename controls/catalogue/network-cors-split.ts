import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, isProduction, isStaging, label, ofType, verdict } from './inventory-evidence.ts';

const API = 'AWS::ApiGatewayV2::Api';

function originsOf(api: { configuration: Record<string, unknown> }): string[] {
  const o = get(api.configuration, 'corsConfiguration.allowOrigins');
  return Array.isArray(o) ? o.filter((x): x is string => typeof x === 'string').map((x) => x.trim().replace(/\/+$/, '').toLowerCase()) : [];
}

function unsafe(origin: string): string | undefined {
  if (origin === '*' || origin.includes('*')) return 'a wildcard';
  if (origin.startsWith('http://')) return 'plain http';
  if (/^(https?:\/\/)?(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)(:|$)/.test(origin)) return 'localhost';
  return undefined;
}

export default defineControl({
  id: 'network.cors-split',
  title: 'Production and staging CORS are separated',
  commitment: 'Production and staging CORS separated (Addendum §28).',
  frameworks: ['ADDENDUM:28.11', 'SPAPI-DPP:1.1', 'GOOGLE:CASA-14.4'],
  severity: 'high',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence: inventoryEvidence,
  collect: collectInventory([API]),
  evaluate(e) {
    const apis = ofType(e, API);
    const prod = apis.filter(isProduction);
    const stagingOrigins = new Map<string, string[]>();
    for (const api of apis.filter(isStaging)) for (const o of originsOf(api)) stagingOrigins.set(o, [...(stagingOrigins.get(o) ?? []), label(api)]);
    const findings: Finding[] = [];
    for (const api of prod) {
      for (const o of originsOf(api)) {
        const bad = unsafe(o);
        if (bad) findings.push(finding(api, `production API ${label(api)} allows origin ${o} (${bad})`));
        const shared = stagingOrigins.get(o);
        if (shared) findings.push(finding(api, `origin ${o} is allowed by production API ${label(api)} and by staging API ${shared.join(', ')}`));
      }
    }
    return verdict(e, { inScope: prod.length, findings, what: 'production APIs' });
  },
  remediation:
    'Give production APIs only their own https production origins (aws apigatewayv2 update-api --api-id ID --cors-configuration AllowOrigins=https://app.example.com); staging origins belong on staging APIs only; never *, http:// or localhost in production.',
});
