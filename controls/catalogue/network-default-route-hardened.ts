import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, inventoryEvidence, isProduction, label, ofType, verdict } from './inventory-evidence.ts';

const API = 'AWS::ApiGatewayV2::Api';
const ROUTE = 'AWS::ApiGatewayV2::Route';

export default defineControl({
  id: 'network.default-route-hardened',
  title: 'No open $default route in production',
  commitment: 'Production $default route hardened or replaced with explicit public routes only (Addendum §28).',
  frameworks: ['ADDENDUM:28.12', 'SPAPI-DPP:1.1'],
  severity: 'high',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence: inventoryEvidence,
  collect: collectInventory([API, ROUTE]),
  evaluate(e) {
    const apis = new Map(ofType(e, API).map((a) => [a.resourceId, a]));
    const prodApis = [...apis.values()].filter(isProduction);
    const findings: Finding[] = [];
    for (const r of ofType(e, ROUTE)) {
      const api = apis.get(String(r.configuration.apiId ?? ''));
      const prod = api ? isProduction(api) : isProduction(r);
      if (!prod || r.configuration.routeKey !== '$default') continue;
      const auth = r.configuration.authorizationType;
      if (auth === undefined || auth === 'NONE') {
        findings.push(finding(r, `production API ${api ? label(api) : String(r.configuration.apiId)} has a $default route with authorization ${String(auth ?? 'NONE')}`));
      }
    }
    return verdict(e, { inScope: prodApis.length, findings, what: 'production APIs' });
  },
  remediation:
    'Put an authorizer on the production $default route (JWT or AWS_IAM), or delete it and declare explicit public routes only (aws apigatewayv2 delete-route --api-id ID --route-id RID).',
});
