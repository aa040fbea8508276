import { z } from 'zod';
import { defineControl, NOT_APPLICABLE, type Finding, type InventoryItem } from '../define-control.ts';
import { logScanEvidence } from '../log-scan-evidence.ts';
import { get, isProduction } from './inventory-evidence.ts';

const LOG_GROUP = 'AWS::Logs::LogGroup';
const FN = 'AWS::Lambda::Function';
const STAGE = 'AWS::ApiGatewayV2::Stage';
const REST_STAGE = 'AWS::ApiGateway::Stage';

/** A production log group the inventory shows, and what showed it. */
const discovered = z.object({ accountId: z.string(), region: z.string(), logGroupName: z.string(), from: z.string() });
type Discovered = z.infer<typeof discovered>;

const evidence = z.object({
  scan: logScanEvidence,
  /** Production log groups found in the inventory (log groups, Lambda functions' groups, stages' access-log groups); null: no inventory */
  production: z.array(discovered).nullable(),
  inventoryErrors: z.array(z.object({ source: z.string(), message: z.string() })).default([]),
});

/** `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` → NAME */
const groupOfArn = (arn: unknown): string | undefined => (typeof arn === 'string' ? /:log-group:(.+?)(?::\*)?$/.exec(arn)?.[1] : undefined);

/**
 * Every production log group the inventory can name: recorded log groups, each production function's group
 * (its `loggingConfig.logGroup`, else /aws/lambda/NAME) and each production stage's access-log destination.
 */
function productionLogGroups(items: InventoryItem[]): Discovered[] {
  const out = new Map<string, Discovered>();
  const add = (i: InventoryItem, logGroupName: string | undefined, from: string) => {
    if (!logGroupName) return;
    const key = `${i.accountId}|${i.awsRegion}|${logGroupName}`;
    if (!out.has(key)) out.set(key, { accountId: i.accountId, region: i.awsRegion, logGroupName, from });
  };
  for (const i of items.filter(isProduction)) {
    if (i.resourceType === LOG_GROUP) add(i, String(i.configuration.logGroupName ?? i.resourceName ?? i.resourceId), 'log group');
    else if (i.resourceType === FN) {
      const custom = get(i.configuration, 'loggingConfig.logGroup');
      add(
        i,
        typeof custom === 'string' && custom ? custom : `/aws/lambda/${String(i.configuration.functionName ?? i.resourceName ?? i.resourceId)}`,
        `function ${i.resourceName ?? i.resourceId}`,
      );
    } else if (i.resourceType === STAGE || i.resourceType === REST_STAGE)
      add(i, groupOfArn(get(i.configuration, 'accessLogSettings.destinationArn')), `stage ${i.resourceName ?? i.resourceId}`);
  }
  return [...out.values()];
}

export default defineControl({
  id: 'logging.cloudwatch-pii-scan',
  title: 'No PII or secrets in CloudWatch logs since the last deployment',
  commitment: 'CloudWatch PII log scan completed after deployment (Addendum §28); logs avoid PII and credentials (§23).',
  severity: 'critical',
  schedule: '*/15 * * * *',
  freshFor: '1h',
  evidence,
  async collect(sources) {
    const scan = await sources.logScan();
    if (scan === NOT_APPLICABLE) return NOT_APPLICABLE;
    const inventory = await sources.inventory([LOG_GROUP, FN, STAGE, REST_STAGE]);
    if (inventory === NOT_APPLICABLE) return { scan, production: null, inventoryErrors: [] };
    return { scan, production: productionLogGroups(inventory.items), inventoryErrors: inventory.errors };
  },
  evaluate({ scan: e, production, inventoryErrors }) {
    if (e.errors.length || inventoryErrors.length) {
      return {
        status: 'error',
        findings: [
          ...e.errors.map((x) => ({ resourceId: x.source, message: `could not scan: ${x.message}` })),
          ...inventoryErrors.map((x) => ({ resourceId: x.source, message: `could not discover production log groups: ${x.message}` })),
        ],
        summary: `${e.errors.length + inventoryErrors.length} source(s) failed; not judged on a partial scan`,
      };
    }
    const scanned = e.groups.filter((g) => g.status === 'ok');
    if (scanned.length === 0 && !production?.length) return { status: 'not_applicable', findings: [], summary: 'no log group to scan' };
    const findings: Finding[] = e.byGroup.map((g) => {
      const samples = e.samples
        .filter((s) => s.logGroupName === g.logGroupName && s.logStreamName === g.logStreamName && s.detector === g.detector)
        .slice(0, 3);
      return {
        resourceId: `${g.logGroupName}:${g.logStreamName}`,
        resourceType: 'AWS::Logs::LogGroup',
        message: `${g.count} ${g.detector} value(s) in ${g.logGroupName} (stream ${g.logStreamName})${samples.length ? `, e.g. ${samples.map((s) => s.masked).join(', ')}` : ''}`,
      };
    });
    // Coverage: a production group the scan did not read is a group whose PII nobody looked for.
    if (production === null) {
      findings.push({
        resourceId: 'logScan',
        message: 'no inventory source to discover production log groups from: cannot show every production group is scanned',
      });
    } else {
      const covered = (d: Discovered) =>
        scanned.some((g) => g.logGroupName === d.logGroupName && (g.accountId === 'export' || (g.accountId === d.accountId && g.region === d.region)));
      for (const d of production.filter((d) => !covered(d))) {
        findings.push({
          resourceId: `arn:aws:logs:${d.region}:${d.accountId}:log-group:${d.logGroupName}`,
          resourceType: 'AWS::Logs::LogGroup',
          message: `production log group ${d.logGroupName} (account ${d.accountId}, ${d.region}; from ${d.from}) is not scanned (logScan.groups)`,
        });
      }
    }
    const events = scanned.reduce((n, g) => n + g.eventsScanned, 0);
    const since = new Date(e.window.since).toISOString();
    const total = Object.values(e.counts).reduce((a, b) => a + b, 0);
    const uncovered = findings.length - e.byGroup.length;
    return {
      status: findings.length ? 'fail' : 'pass',
      findings,
      summary: findings.length
        ? [
            total
              ? `${total} finding(s) in ${new Set(e.byGroup.map((g) => g.logGroupName)).size} log group(s) since ${since} (${e.window.reason === 'deployment' ? `deployment ${e.window.deployment}` : 'scan window'})`
              : '',
            uncovered ? `${uncovered} production log group(s) not scanned` : '',
          ]
            .filter(Boolean)
            .join('; ')
        : `${events} events in ${scanned.length} log group(s) scanned since ${since}, every discovered production group among them; nothing found`,
    };
  },
  remediation:
    'Find the code path that logged the value (the finding names the group and stream; the fingerprint matches repeats), log ids instead of values, redact at ingestion (tenet scan-logs --emit-data-protection-policy prints a CloudWatch data protection policy), then delete or expire the affected log streams and record a deployment. Add every production log group to logScan.groups.',
});
