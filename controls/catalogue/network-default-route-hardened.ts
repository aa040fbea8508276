import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, inventoryEvidence, isProduction, label, ofType, verdict } from './inventory-evidence.ts';

const API = 'AWS::ApiGatewayV2::Api';
const ROUTE = 'AWS::ApiGatewayV2::Route';

/** `$default`, and any route whose path ends in a greedy variable (`ANY /{proxy+}`, `GET /api/{rest+}`): both catch every path. */
const catchesAll = (routeKey: string): boolean => routeKey === '$default' || /\{[^}/]+\+\}\s*$/.test(routeKey);

export default defineControl({
  id: 'network.default-route-hardened',
  title: 'No open $default route in production',
  commitment: 'Production $default route hardened or replaced with explicit public routes only (Addendum §28).',
  severity: 'high',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence: inventoryEvidence,
  collect: collectInventory([API, ROUTE]),
  evaluate(e, settings) {
    const publicRoutes = new Set(settings.requirements.publicRoutes);
    const apis = new Map(ofType(e, API).map((a) => [a.resourceId, a]));
    const prodApis = [...apis.values()].filter(isProduction);
    const routesOf = new Map<string, ReturnType<typeof ofType>>();
    for (const r of ofType(e, ROUTE)) {
      const apiId = String(r.configuration.apiId ?? '');
      routesOf.set(apiId, [...(routesOf.get(apiId) ?? []), r]);
    }
    const findings: Finding[] = [];
    for (const api of prodApis) {
      const name = label(api);
      const routes = routesOf.get(api.resourceId) ?? [];
      // No route read for an API is not "no open route": nothing shows what it answers.
      if (routes.length === 0) {
        findings.push(finding(api, `no routes were read for production API ${name}: cannot show it has no open route`));
        continue;
      }
      const websocket = String(api.configuration.protocolType ?? '').toUpperCase() === 'WEBSOCKET';
      for (const r of routes) {
        const key = String(r.configuration.routeKey ?? '');
        const auth = typeof r.configuration.authorizationType === 'string' ? r.configuration.authorizationType : 'NONE';
        if (auth !== 'NONE') continue;
        if (websocket) {
          // Only $connect of a WebSocket API can carry authorization; it gates every later message.
          if (key === '$connect') findings.push(finding(r, `production WebSocket API ${name} accepts $connect with authorization NONE`));
          continue;
        }
        if (catchesAll(key)) findings.push(finding(r, `production API ${name} has a catch-all route ${key} with authorization NONE`));
        else if (!publicRoutes.has(key))
          findings.push(finding(r, `production API ${name} has route ${key} with authorization NONE and it is not in requirements.publicRoutes`));
      }
    }
    return verdict(e, { inScope: prodApis.length, findings, what: 'production APIs' });
  },
  remediation:
    'Put an authorizer (JWT, AWS_IAM or CUSTOM) on every production route, including $default and greedy {proxy+} routes, or delete the catch-all and declare explicit public routes only (aws apigatewayv2 delete-route --api-id ID --route-id RID), listing each intentionally public one (webhooks) in requirements.publicRoutes; WebSocket APIs need an authorizer on $connect.',
});
