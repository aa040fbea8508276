import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { z } from 'zod';

/**
 * The control settings file (`TENET_CONFIG_FILE`, JSON): where evidence comes from, what the controls expect,
 * which controls each integration needs. Secrets never live in it: a database URL or a probe token is named by
 * the environment variable that holds it (`...Env`).
 */
const cronPattern = z.string().refine((p) => cron.validate(p), 'not a cron pattern (like "*/30 * * * *", seconds optional)');
const host = z.string().regex(/^[a-z0-9.-]+(:\d+)?$/i, 'a host name, optionally with :port');

/** §22: PII reveal audit events 365 days (§13.2, §23); CloudWatch operational Lambda logs 180 days. */
const DEFAULT_LOG_CLASSES = [{ class: 'pii-reveal-audit', pattern: '(pii[-_]?reveal|reveal[-_]?audit)', days: 365 }];

/** The longest a control exception may run, by control severity: the worse the control, the sooner it is looked at again. */
const EXCEPTION_MAX_DAYS = { critical: 14, high: 30, medium: 90, low: 180 };

/**
 * Name families of WhatsApp / Meta credentials, any infix or suffix (WHATSAPP_ACCESS_TOKEN_V2, WABA_TOKEN, WA_APP_KEY,
 * FB_GRAPH_ACCESS_TOKEN); a name ending in _ARN, _NAME, _ID, ... points at a secret rather than holding one.
 */
const LEGACY_ENV_PATTERNS = [
  '^(?!.*_(ARN|NAME|ID|PATH|REF|PARAM|PARAMETER|REGION)$)(WHATSAPP|WA|WABA|META|FB|FACEBOOK)(_[A-Z0-9]+)*_(ACCESS_?)?(TOKEN|SECRET|KEY|PASSWORD|PASS|PWD|CREDENTIALS?)(_[A-Z0-9]+)*$',
];

/** vulnerability.scan-reports: a dependency audit at least monthly, a static analysis at least quarterly. */
const DEFAULT_SCAN_REPORTS: Array<{ kind: 'sast' | 'dependency-audit' | 'pentest'; maxAgeDays: number }> = [
  { kind: 'dependency-audit', maxAgeDays: 30 },
  { kind: 'sast', maxAgeDays: 90 },
];

const controlSettingsSchema = z
  .object({
    /** Resources without an `environment` tag: by ARN/resource id, or by account. */
    environments: z
      .object({
        accounts: z.record(z.string(), z.string()).default({}),
        resources: z.record(z.string(), z.string()).default({}),
      })
      .default({ accounts: {}, resources: {} }),
    aws: z
      .object({
        accounts: z
          .array(
            z.object({
              accountId: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
              /**
               * Regions always read (the first is the account's home: STS, EC2 DescribeRegions, S3 ListBuckets);
               * every other enabled region is discovered and read too (aws.discoverRegions).
               */
              regions: z
                .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like ap-south-1'))
                .min(1)
                .optional(),
              roleArn: z.string().startsWith('arn:aws').optional(),
              externalId: z.string().optional(),
            }),
          )
          .min(1),
        /** Read every enabled region of each account (EC2 DescribeRegions), not only the listed ones. */
        discoverRegions: z.boolean().default(true),
        /** Only for tests and local emulators: every AWS client talks to this endpoint. */
        endpoint: z.string().url().optional(),
        requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        maxAttempts: z.number().int().min(1).max(10).default(5),
      })
      .optional(),
    /** The CloudWatch Logs PII scan (logging.cloudwatch-pii-scan). Credentials as for `aws` (roleArn per account). */
    logScan: z
      .object({
        groups: z
          .array(z.object({ accountId: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'), region: z.string().min(1), logGroupName: z.string().min(1) }))
          .default([]),
        /** CloudWatch exports (JSON lines with timestamp, message, logStreamName) scanned as if they were groups */
        exports: z.array(z.object({ logGroupName: z.string().min(1), file: z.string().min(1) })).default([]),
        /** Without a recorded deployment (POST /v1/deployments), the verdict covers this many hours. */
        windowHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .default(24),
        insightsPrefilter: z
          .object({
            minStoredBytes: z
              .number()
              .int()
              .min(0)
              .default(1 << 30),
            queryString: z.string().min(1),
          })
          .optional(),
        maxSamplesPerDetector: z.number().int().min(0).max(50).default(5),
      })
      .refine((l) => l.groups.length + l.exports.length > 0, 'name at least one log group or export')
      .optional(),
    /** AWS Config snapshot files (JSON), read as an inventory source. */
    snapshots: z.array(z.string().min(1)).default([]),
    probes: z
      .object({
        /** Only these hosts are ever probed (host or host:port); anything else is refused before a socket opens. */
        allowedHosts: z.array(host).default([]),
        timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
        webhooks: z
          .array(
            z.object({
              name: z.string().min(1),
              url: z.string().url(),
              provider: z.string().min(1),
              /** A plausible provider payload; the probe sends it unsigned and wrongly signed. */
              body: z.string().default('{"probe":"tenet"}'),
              signatureHeader: z.string().default('x-signature'),
              /**
               * The environment variable holding a signing secret the endpoint accepts (a test secret): the probe
               * sends one correctly signed request, which must get 2xx, proving the rejections come from the handler
               * and not from an authorizer or a WAF in front of it. Without it the control cannot pass.
               */
              secretEnv: z.string().min(1).optional(),
              /** Answers that count as a rejection; default: the provider's documented codes (http-probe.ts). */
              rejectStatuses: z.array(z.number().int().min(400).max(499)).min(1).optional(),
            }),
          )
          .default([]),
        orders: z
          .object({
            url: z.string().url(),
            /** header name → environment variable holding the value (e.g. a service token) */
            headersFromEnv: z.record(z.string(), z.string()).default({}),
            /** buyer fields that must come back masked, as dotted paths inside each order */
            buyerFields: z.array(z.string().min(1)).min(1),
            /** where the orders are in the answer (dotted path; empty = the answer itself) */
            ordersPath: z.string().default('orders'),
          })
          .optional(),
        /**
         * network.cors-split: production endpoints sent a CORS preflight (OPTIONS) with each staging origin (the
         * staging APIs' own, these, and `https://staging.<parent domain of the URL>`); none may be allowed.
         */
        cors: z.object({ urls: z.array(z.string().url()).min(1), stagingOrigins: z.array(z.string().min(1)).default([]) }).optional(),
        /**
         * network.tls-versions: endpoints whose accepted TLS versions and certificate are probed: `"host:port"`, or
         * `{ name, url }` (an https URL, port 443 unless it names one) with `ca` (path of a PEM file: private CA
         * certificates trusted besides the system's) and `servername` (SNI and the name checked; default the host).
         */
        tls: z
          .array(
            z.union([
              host.transform((h) => ({ name: h, url: `https://${h}` })),
              z
                .object({
                  name: z.string().min(1),
                  url: z
                    .string()
                    .url()
                    .refine((u) => u.startsWith('https://'), 'an https:// URL'),
                  ca: z.string().min(1).optional(),
                  servername: z.string().min(1).optional(),
                })
                .strict(),
            ]),
          )
          .default([]),
      })
      .default({ allowedHosts: [], timeoutMs: 5_000, webhooks: [], tls: [] }),
    /** The governed platform's database, read-only. */
    platformDatabase: z
      .object({
        urlEnv: z.string().min(1),
        statementTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
        /** The backfill query: must return one row per order that still holds unredacted buyer PII (id column). */
        unredactedOrdersQuery: z.string().min(1).optional(),
      })
      .optional(),
    attestations: z
      .object({
        /** Public keys (JWK, Ed25519) of the people allowed to attest documents, by key id. */
        trustedKeys: z.array(z.object({ kid: z.string().min(1), subject: z.string().min(1), jwk: z.record(z.string(), z.unknown()) })).default([]),
      })
      .default({ trustedKeys: [] }),
    requirements: z
      .object({
        logRetentionDays: z.number().int().min(1).default(180),
        /**
         * The §22 retention schedule per log-group class, first match wins (`retention-class` tag, else the name
         * pattern); a production group no class matches keeps `logRetentionDays` (operational Lambda logs).
         */
        logRetentionClasses: z
          .array(z.object({ class: z.string().min(1), pattern: z.string().min(1), days: z.number().int().min(1) }))
          .default(DEFAULT_LOG_CLASSES),
        /** network.cors-split: the only origins production APIs may allow (exact, scheme and host, e.g. https://app.example.com). */
        productionCorsOrigins: z.array(z.string().min(1)).default([]),
        /** network.default-route-hardened: production route keys allowed without authorization (e.g. "POST /webhooks/stripe"). */
        publicRoutes: z.array(z.string().min(1)).default([]),
        /** storage.s3-lifecycle: the temporary-attachment location inside data-class=temporary buckets ('' = the whole bucket). */
        temporaryPrefix: z.string().default(''),
        /** Redaction function: name or ARN. */
        redactionFunction: z.string().min(1).default('buyer-pii-redaction'),
        redactionAfterDays: z.number().int().min(1).default(30),
        whatsappSecretPattern: z.string().default('whatsapp'),
        legacyEnvPatterns: z.array(z.string()).default(LEGACY_ENV_PATTERNS),
        conversationTablePattern: z.string().default('conversation|chat|whatsapp'),
        temporaryMaxExpireDays: z.number().int().min(1).default(14),
        /** network.tls-versions: a certificate expiring within this many days fails */
        tlsMinDaysToExpiry: z.number().int().min(0).max(365).default(14),
        /**
         * vulnerability.scan-reports: the kinds of scan report that must be imported, and at most how old (days) the
         * latest of each may be; the latest must also hold no open critical or high finding.
         */
        scanReports: z
          .array(
            z
              .object({
                kind: z.enum(['sast', 'dependency-audit', 'pentest']),
                maxAgeDays: z.number().int().min(1).max(3650),
              })
              .strict(),
          )
          .default(DEFAULT_SCAN_REPORTS),
        runbooks: z.array(z.string()).default(['runbook.secrets-rotation', 'runbook.data-deletion-export']),
        runbookMaxAgeDays: z.number().int().min(1).default(365),
        /** access.review-certified: the access review must have been certified within this many days */
        accessReviewMaxAgeDays: z.number().int().min(1).max(366).default(90),
        /** config.recorder-healthy: the newest recording activity of each recorder must be at most this old */
        configRecorderMaxSilenceHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(24),
        /** Control exceptions: the longest an exception may run, by the severity of its control (days from the request). */
        exceptionMaxDays: z
          .object({
            critical: z.number().int().min(1).max(366),
            high: z.number().int().min(1).max(366),
            medium: z.number().int().min(1).max(366),
            low: z.number().int().min(1).max(366),
          })
          .strict()
          .default(EXCEPTION_MAX_DAYS),
        /** Control exceptions expiring within this many days are flagged (`expiresSoon`) and logged daily. */
        exceptionWarnDays: z.number().int().min(0).max(90).default(7),
      })
      .default({
        logRetentionDays: 180,
        logRetentionClasses: DEFAULT_LOG_CLASSES,
        productionCorsOrigins: [],
        publicRoutes: [],
        temporaryPrefix: '',
        redactionFunction: 'buyer-pii-redaction',
        redactionAfterDays: 30,
        whatsappSecretPattern: 'whatsapp',
        legacyEnvPatterns: LEGACY_ENV_PATTERNS,
        conversationTablePattern: 'conversation|chat|whatsapp',
        temporaryMaxExpireDays: 14,
        tlsMinDaysToExpiry: 14,
        scanReports: DEFAULT_SCAN_REPORTS,
        runbooks: ['runbook.secrets-rotation', 'runbook.data-deletion-export'],
        runbookMaxAgeDays: 365,
        accessReviewMaxAgeDays: 90,
        configRecorderMaxSilenceHours: 24,
        exceptionMaxDays: EXCEPTION_MAX_DAYS,
        exceptionWarnDays: 7,
      }),
    /** Review packs: who the pack is about, and what the Google profile reads. */
    packs: z
      .object({
        organisation: z.string().min(1).default('the governed platform'),
        google: z
          .object({
            /** probed (probes.allowedHosts applies) for the Limited Use statement and the policy link */
            privacyPolicyUrl: z.string().url().optional(),
            scopes: z.array(z.object({ scope: z.string().min(1), justification: z.string() })).default([]),
          })
          .default({ scopes: [] }),
      })
      .default({ organisation: 'the governed platform', google: { scopes: [] } }),
    /**
     * integration id (Integration entity id) → the controls it needs to be ready, and what the Integration entity
     * says about it: for a configured integration `provider`, `restricted` and `ready` are Tenet's, whatever a
     * caller pushes. `restricted` defaults to true (fail closed: an integration is configured because its posture
     * gates restricted data); `provider` defaults to the integration id.
     */
    integrations: z
      .record(
        z.string(),
        z.object({
          controls: z.array(z.string()).min(1),
          provider: z.string().min(1).max(200).optional(),
          restricted: z.boolean().default(true),
        }),
      )
      .default({}),
    /**
     * The incident register (docs/incidents.md). `clocks`: party → hours from detection to notify it; Amazon is
     * always 24 hours when Amazon Information is involved and cannot be set here. `customers` applies when agencies
     * or clients are affected, `google` when a Google integration or Google user data is, any other party always.
     * `webhook`: signed notices (incident opened, a clock with `warnHoursBefore` hours left) to `url`, signed with the
     * secret in the environment variable `secretEnv` (never the secret itself).
     */
    incidents: z
      .object({
        clocks: z
          .record(
            z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a party name like customers or google'),
            z
              .number()
              .int()
              .min(1)
              .max(24 * 30),
          )
          .refine((c) => !('amazon' in c), 'the Amazon clock is 24 hours (Data Protection Policy) and is not configurable')
          .default({ customers: 72, google: 24 }),
        webhook: z
          .object({
            url: z.string().url(),
            secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable'),
            maxAttempts: z.number().int().min(1).max(20).default(8),
            retryBaseMs: z.number().int().min(10).max(600_000).default(30_000),
          })
          .optional(),
        evidenceWindowHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(24),
        lookbackDays: z.number().int().min(1).max(3650).default(90),
        warnHoursBefore: z.number().min(0.1).max(72).default(2),
      })
      .default({ clocks: { customers: 72, google: 24 }, evidenceWindowHours: 24, lookbackDays: 90, warnHoursBefore: 2 }),
    /** per-control cron overrides */
    schedules: z.record(z.string(), cronPattern).default({}),
    /** a control whose collection takes longer is `error` */
    runTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
    /**
     * A running control run holds a lease this long, renewed every `runHeartbeatMs` by the replica running it; a
     * run whose lease lapsed (its replica died) is `abandoned` and the control runs again at its next tick.
     */
    runLeaseMs: z.number().int().min(1_000).max(600_000).default(30_000),
    runHeartbeatMs: z.number().int().min(100).max(300_000).default(10_000),
  })
  .strict()
  .refine((s) => s.runHeartbeatMs * 2 <= s.runLeaseMs, {
    message: 'at most half of runLeaseMs (a lease must survive one missed heartbeat)',
    path: ['runHeartbeatMs'],
  });

export type ControlSettings = z.infer<typeof controlSettingsSchema>;
export type Requirements = ControlSettings['requirements'];

class SettingsError extends Error {}

export function parseControlSettings(input: unknown, where = 'control settings'): ControlSettings {
  const parsed = controlSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new SettingsError(`${where}: ` + parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  for (const p of [
    parsed.data.requirements.whatsappSecretPattern,
    parsed.data.requirements.conversationTablePattern,
    ...parsed.data.requirements.legacyEnvPatterns,
    ...parsed.data.requirements.logRetentionClasses.map((c) => c.pattern),
  ]) {
    try {
      new RegExp(p);
    } catch {
      throw new SettingsError(`${where}: requirements: "${p}" is not a valid regular expression`);
    }
  }
  return parsed.data;
}

export function loadControlSettings(file: string | undefined): ControlSettings {
  if (!file) return parseControlSettings({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingsError(`cannot read control settings file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`control settings file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseControlSettings(json, file);
}
