import { defineControl, type Finding } from '../define-control.ts';
import { collectInventory, finding, get, inventoryEvidence, isProduction, ofType, verdict, type Item } from './inventory-evidence.ts';

const API = 'AWS::ApiGatewayV2::Api';
const STAGE = 'AWS::ApiGatewayV2::Stage';
/** REST (v1) stages: AWS Config records `configuration.accessLogSettings` like v2's. */
const REST_STAGE = 'AWS::ApiGateway::Stage';
const REQUIRED = ['$context.requestId', '$context.status'];

/**
 * The context variables an access log may carry: request metadata and outcome, the caller's network address and
 * agent, opaque ids, and of the caller's identity only the token subject (`sub`) and the authorizer's principal id.
 * Everything else — every other JWT or Cognito claim, every key a Lambda authorizer puts in its context
 * (`$context.authorizer.email`, `.phone_number`), `$context.path` (raw paths carry ids and search terms) — can hold
 * personal data and is refused. HTTP, REST and WebSocket variables from the API Gateway access-logging reference.
 */
const ALLOWED_CONTEXT_VARIABLES: ReadonlySet<string> = new Set([
  'requestId',
  'extendedRequestId',
  'awsEndpointRequestId',
  'requestTime',
  'requestTimeEpoch',
  'httpMethod',
  'routeKey',
  'resourceId',
  'resourcePath',
  'protocol',
  'status',
  'responseLength',
  'responseLatency',
  'responseType',
  'integrationLatency',
  'integrationStatus',
  'integration.status',
  'integration.latency',
  'integration.integrationStatus',
  'integration.requestId',
  'domainName',
  'domainPrefix',
  'stage',
  'apiId',
  'accountId',
  'deploymentId',
  'xrayTraceId',
  'identity.sourceIp',
  'identity.userAgent',
  'identity.accountId',
  'identity.caller',
  'identity.userArn',
  'identity.user',
  'authorizer.claims.sub',
  'authorizer.jwt.claims.sub',
  'authorizer.principalId',
  'authorizer.status',
  'authorizer.latency',
  'authorizer.integrationLatency',
  'authorizer.integrationStatus',
  'authorizer.requestId',
  'authorize.status',
  'authorize.latency',
  'authenticate.status',
  'authenticate.latency',
  'error.message',
  'error.messageString',
  'error.responseType',
  'waf.status',
  'waf.latency',
  'wafResponseCode',
  'webaclArn',
  // WebSocket
  'connectionId',
  'connectedAt',
  'eventType',
  'messageId',
  'messageDirection',
]);

/** What is wrong with an access-log format, or [] when it is PII-safe structured JSON. */
function formatProblems(format: unknown): string[] {
  if (typeof format !== 'string' || !format.trim()) return ['no log format'];
  const problems: string[] = [];
  try {
    const parsed = JSON.parse(format);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push('format is not a JSON object');
  } catch {
    problems.push('format is not JSON (structured fields required)');
  }
  for (const r of REQUIRED) if (!new RegExp(`\\${r}(?![\\w.])`).test(format)) problems.push(`format lacks ${r}`);
  const refused = new Set<string>();
  for (const m of format.matchAll(/\$context\.([A-Za-z0-9_.:-]+|[A-Za-z0-9_.]*\[[^\]]*\][A-Za-z0-9_.[\]'"-]*)/g)) {
    const name = m[1].replace(/\.+$/, '');
    if (!ALLOWED_CONTEXT_VARIABLES.has(name)) refused.add(name);
  }
  for (const name of refused) problems.push(`format logs $context.${name}, which is not on the PII-safe list`);
  if (/\$(input|stageVariables|util)\b/.test(format)) problems.push('format logs request input or stage variables');
  return problems;
}

/** The API a stage belongs to: `configuration.apiId`, else from its ARN (.../apis/{id}/stages/..., .../restapis/{id}/stages/...). */
const apiIdOf = (s: Item): string =>
  String(s.configuration.apiId ?? s.configuration.restApiId ?? /\/(?:rest)?apis\/([^/]+)\/stages\//.exec(s.arn ?? '')?.[1] ?? '');

export default defineControl({
  id: 'logging.api-access-logs',
  title: 'Production API stages log PII-safe structured access logs',
  commitment: 'API Gateway access logging enabled with PII-safe structured fields (Addendum §28).',
  severity: 'high',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence: inventoryEvidence,
  collect: collectInventory([API, STAGE, REST_STAGE]),
  evaluate(e) {
    const apis = new Map(ofType(e, API).map((a) => [a.resourceId, a]));
    const stages = [...ofType(e, STAGE), ...ofType(e, REST_STAGE)].filter((s) => {
      const api = apis.get(apiIdOf(s));
      return isProduction(s) || (api ? isProduction(api) : false);
    });
    const findings: Finding[] = [];
    for (const s of stages) {
      const kind =
        s.resourceType === REST_STAGE
          ? 'REST stage'
          : String(apis.get(apiIdOf(s))?.configuration.protocolType ?? '').toUpperCase() === 'WEBSOCKET'
            ? 'WebSocket stage'
            : 'stage';
      const name = `${apiIdOf(s) || '?'}/${String(s.configuration.stageName ?? s.resourceName ?? s.resourceId)}`;
      const dest = get(s.configuration, 'accessLogSettings.destinationArn');
      if (typeof dest !== 'string' || !dest) {
        findings.push(finding(s, `production ${kind} ${name} has no access log destination`));
        continue;
      }
      const problems = formatProblems(get(s.configuration, 'accessLogSettings.format'));
      if (problems.length) findings.push(finding(s, `production ${kind} ${name}: ${problems.join('; ')}`));
    }
    return verdict(e, { inScope: stages.length, findings, what: 'production stages' });
  },
  remediation:
    'Set access logging on every production stage (HTTP, REST and WebSocket) to a CloudWatch log group with a JSON format that includes $context.requestId and $context.status and only context variables on the PII-safe list (logging-api-access-logs.ts): of the caller, $context.authorizer.claims.sub or $context.authorizer.principalId, never email, phone or other authorizer context (aws apigatewayv2 update-stage --access-log-settings ...; aws apigateway update-stage for REST).',
});
