import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { z } from 'zod';
import type { ControlSettings } from '../../../controls/settings.ts';

/** Where the control settings came from: shown by GET /v1/settings. */
export interface SettingsOrigin {
  /** the settings file path, "demo", or "inline" (settings given in code, e.g. tests) */
  source: string;
  demo: boolean;
}
/** The retention periods in force: shown by GET /v1/settings. */
export interface RetentionDays {
  decisionDays: number;
  revealDays: number;
  evidenceDays: number;
}

/** What the settings view is made from (the composition root gathers it). */
export interface SettingsViewSource {
  settings: ControlSettings;
  origin: SettingsOrigin;
  retention: RetentionDays;
  /** where `platformDatabase.urlEnv` is read */
  env: Record<string, string | undefined>;
  /** the platform database is queried in-process (the demo), not through a URL */
  inProcessPlatformDb: boolean;
  controlIds: Iterable<string>;
  /** the control's cron pattern in force */
  schedule: (controlId: string) => string;
}

/**
 * What is being checked, as configured, for the console's settings page: never a secret. Role external ids,
 * probe header values and database credentials live in the environment or are left out; URLs lose their
 * user info and query; trusted attestation keys are shown by key id and JWK thumbprint.
 */
export async function describeSettings(src: SettingsViewSource) {
  const s = src.settings;
  const environments = new Map<string, { environment: string; accounts: string[]; resources: string[] }>();
  const env = (name: string) => environments.get(name) ?? environments.set(name, { environment: name, accounts: [], resources: [] }).get(name)!;
  for (const [account, name] of Object.entries(s.environments.accounts)) env(name).accounts.push(account);
  for (const [resource, name] of Object.entries(s.environments.resources)) env(name).resources.push(resource);
  const orders = s.probes.orders;
  return {
    source: src.origin.source,
    demo: src.origin.demo,
    environments: [...environments.values()],
    aws: s.aws
      ? {
          accounts: s.aws.accounts.map((a) => ({
            accountId: a.accountId,
            regions: a.regions,
            ...(a.roleArn ? { roleArn: a.roleArn } : {}),
            externalId: a.externalId ? 'configured' : null,
          })),
          endpoint: s.aws.endpoint ? safeUrl(s.aws.endpoint) : null,
          requestTimeoutMs: s.aws.requestTimeoutMs,
          maxAttempts: s.aws.maxAttempts,
        }
      : null,
    snapshots: s.snapshots,
    probes: [
      ...s.probes.webhooks.map((w) => ({
        name: w.name,
        kind: 'webhook' as const,
        url: safeUrl(w.url),
        provider: w.provider,
        signatureHeader: w.signatureHeader,
      })),
      ...(orders
        ? [
            {
              name: 'orders',
              kind: 'orders' as const,
              url: safeUrl(orders.url),
              headers: Object.keys(orders.headersFromEnv),
              buyerFields: orders.buyerFields,
              ordersPath: orders.ordersPath,
            },
          ]
        : []),
    ],
    probeHosts: s.probes.allowedHosts,
    probeTimeoutMs: s.probes.timeoutMs,
    tlsEndpoints: s.probes.tls.map((e) => ({
      name: e.name,
      url: safeUrl(e.url),
      servername: ('servername' in e && e.servername) || null,
      privateCa: 'ca' in e && Boolean(e.ca),
    })),
    logScan: s.logScan
      ? {
          groups: [
            ...s.logScan.groups.map((g) => ({ logGroupName: g.logGroupName, accountId: g.accountId, region: g.region, source: 'cloudwatch' as const })),
            ...s.logScan.exports.map((e) => ({ logGroupName: e.logGroupName, source: 'export' as const })),
          ],
          windowHours: s.logScan.windowHours,
          insightsPrefilter: Boolean(s.logScan.insightsPrefilter),
          maxSamplesPerDetector: s.logScan.maxSamplesPerDetector,
        }
      : null,
    platformDatabase: s.platformDatabase
      ? src.inProcessPlatformDb
        ? {
            status: 'configured' as const,
            host: 'in-process',
            database: null,
            statementTimeoutMs: s.platformDatabase.statementTimeoutMs,
            backfillQuery: Boolean(s.platformDatabase.unredactedOrdersQuery),
          }
        : describeDatabase(src.env[s.platformDatabase.urlEnv], s.platformDatabase)
      : null,
    attestations: {
      trustedKeys: await Promise.all(s.attestations.trustedKeys.map(async (k) => ({ kid: k.kid, fingerprint: await jwkFingerprint(k.jwk) }))),
    },
    schedules: [...src.controlIds].map((id) => ({ controlId: id, cron: src.schedule(id), overridden: id in s.schedules })),
    integrations: Object.entries(s.integrations).map(([id, i]) => ({ id, controls: i.controls })),
    requirements: s.requirements,
    packs: {
      organisation: s.packs.organisation,
      google: { privacyPolicyUrl: s.packs.google.privacyPolicyUrl ? safeUrl(s.packs.google.privacyPolicyUrl) : null, scopes: s.packs.google.scopes },
    },
    runTimeoutMs: s.runTimeoutMs,
    retention: src.retention,
  };
}

/** A URL without user info, query or fragment (they can carry credentials or tokens). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(not a URL)';
  }
}

/** The platform database as host and database name only: never the user, password or parameters. */
function describeDatabase(url: string | undefined, db: { statementTimeoutMs: number; unredactedOrdersQuery?: string }) {
  const base = { statementTimeoutMs: db.statementTimeoutMs, backfillQuery: Boolean(db.unredactedOrdersQuery) };
  if (!url) return { status: 'missing' as const, ...base };
  try {
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!u.hostname) return { status: 'configured' as const, ...base };
    return { status: 'configured' as const, host: u.host, database: database || null, ...base };
  } catch {
    return { status: 'configured' as const, ...base };
  }
}

/** RFC 7638 thumbprint of a public JWK (sha256 of the canonical JSON when it is not a complete JWK). */
async function jwkFingerprint(jwk: Record<string, unknown>): Promise<string> {
  try {
    return `sha256:${await calculateJwkThumbprint(jwk as JWK, 'sha256')}`;
  } catch {
    const canonical = JSON.stringify(Object.fromEntries(Object.entries(jwk).sort(([a], [b]) => a.localeCompare(b))));
    return `sha256-hex:${createHash('sha256').update(canonical).digest('hex')}`;
  }
}

/** The answer of GET /v1/settings (what `describeSettings` returns, as JSON). */
export const settingsViewSchema = z.object({
  source: z.string().meta({ description: 'the settings file path, "demo", or "inline"' }),
  demo: z.boolean(),
  environments: z.array(z.object({ environment: z.string(), accounts: z.array(z.string()), resources: z.array(z.string()) })),
  aws: z
    .object({
      accounts: z.array(
        z.object({
          accountId: z.string(),
          regions: z.array(z.string()).optional(),
          roleArn: z.string().optional(),
          externalId: z.literal('configured').nullable(),
        }),
      ),
      endpoint: z.string().nullable(),
      requestTimeoutMs: z.number(),
      maxAttempts: z.number(),
    })
    .nullable(),
  snapshots: z.array(z.string()),
  probes: z.array(
    z.discriminatedUnion('kind', [
      z.object({ name: z.string(), kind: z.literal('webhook'), url: z.string(), provider: z.string(), signatureHeader: z.string() }),
      z.object({
        name: z.string(),
        kind: z.literal('orders'),
        url: z.string(),
        headers: z.array(z.string()).meta({ description: 'header names; their values stay in the environment' }),
        buyerFields: z.array(z.string()),
        ordersPath: z.string(),
      }),
    ]),
  ),
  probeHosts: z.array(z.string()),
  probeTimeoutMs: z.number(),
  tlsEndpoints: z
    .array(
      z.object({
        name: z.string(),
        url: z.string(),
        servername: z.string().nullable(),
        privateCa: z.boolean().meta({ description: 'a private CA file (probes.tls[].ca) is trusted besides the system CAs' }),
      }),
    )
    .meta({ description: 'network.tls-versions: the endpoints whose TLS versions and certificate are probed (probes.tls)' }),
  logScan: z
    .object({
      groups: z.array(
        z.discriminatedUnion('source', [
          z.object({ logGroupName: z.string(), accountId: z.string(), region: z.string(), source: z.literal('cloudwatch') }),
          z.object({ logGroupName: z.string(), source: z.literal('export') }),
        ]),
      ),
      windowHours: z.number(),
      insightsPrefilter: z.boolean(),
      maxSamplesPerDetector: z.number(),
    })
    .nullable(),
  platformDatabase: z
    .object({
      status: z.enum(['configured', 'missing']),
      host: z.string().optional().meta({ description: 'absent when missing or not given by the URL' }),
      database: z.string().nullable().optional(),
      statementTimeoutMs: z.number(),
      backfillQuery: z.boolean(),
    })
    .nullable(),
  attestations: z.object({ trustedKeys: z.array(z.object({ kid: z.string(), fingerprint: z.string() })) }),
  schedules: z.array(z.object({ controlId: z.string(), cron: z.string(), overridden: z.boolean() })),
  integrations: z.array(z.object({ id: z.string(), controls: z.array(z.string()) })),
  requirements: z.object({
    logRetentionDays: z.number(),
    logRetentionClasses: z.array(z.object({ class: z.string(), pattern: z.string(), days: z.number() })),
    productionCorsOrigins: z.array(z.string()),
    publicRoutes: z.array(z.string()),
    temporaryPrefix: z.string(),
    redactionFunction: z.string(),
    redactionAfterDays: z.number(),
    whatsappSecretPattern: z.string(),
    legacyEnvPatterns: z.array(z.string()),
    conversationTablePattern: z.string(),
    temporaryMaxExpireDays: z.number(),
    tlsMinDaysToExpiry: z.number(),
    scanReports: z.array(z.object({ kind: z.enum(['sast', 'dependency-audit', 'pentest']), maxAgeDays: z.number() })),
    runbooks: z.array(z.string()),
    runbookMaxAgeDays: z.number(),
    accessReviewMaxAgeDays: z.number(),
    configRecorderMaxSilenceHours: z.number(),
    exceptionMaxDays: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() }),
    exceptionWarnDays: z.number(),
  }),
  packs: z.object({
    organisation: z.string(),
    google: z.object({ privacyPolicyUrl: z.string().nullable(), scopes: z.array(z.object({ scope: z.string(), justification: z.string() })) }),
  }),
  runTimeoutMs: z.number(),
  retention: z.object({ decisionDays: z.number(), revealDays: z.number(), evidenceDays: z.number() }),
});
