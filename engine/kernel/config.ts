import { z } from 'zod';

/**
 * The whole configuration of a Tenet process, parsed once from the environment at start-up.
 * A bad value stops the process with a message naming the variable (see `loadConfig`).
 * Secrets have no defaults: a missing secret is a missing secret.
 */
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An http(s) URL; plain http only on a loopback host (a local identity provider in development or tests). */
const oidcUrl = z.url({ protocol: /^https?$/ }).refine((v) => {
  const u = new URL(v);
  return u.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
}, 'must be an https:// URL (http:// only on localhost)');

/** Time limits on the PostgreSQL server pool (docs/configuration.md); 0 turns one off. Embedded takes none. */
const databaseTimeoutShape = {
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(5_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(10_000),
  DATABASE_POOL_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
};

const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    ...databaseTimeoutShape,
    TENET_DATA_DIR: z.string().min(1).default('.data'),
    TENET_BOOTSTRAP_TOKEN: z.string().min(32, 'must be at least 32 characters (it becomes an admin API key)').optional(),
    TENET_POLICY_DIR: z.string().min(1).optional(),
    TENET_CONFIG_FILE: z.string().min(1).optional(),
    TENET_SCANNER_SECRET: z.string().min(32, 'must be at least 32 characters (it keys the PII fingerprints)').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Unset: readable lines on a terminal, JSON lines when standard output is a pipe or a file.
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    TENET_DECISION_QUEUE_MAX: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
    TENET_DECISION_BATCH_MAX: z.coerce.number().int().min(1).max(5_000).default(1_000),
    // The decision journal (docs/authorization.md, "Decision log"): a decision is answered once it is durable on local disk.
    TENET_DECISION_JOURNAL: bool.default(true),
    TENET_JOURNAL_DIR: z.string().min(1).optional(),
    TENET_JOURNAL_MAX_MB: z.coerce.number().int().min(1).max(1_048_576).default(1024),
    TENET_DECISION_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
    TENET_PII_REVEAL_RETENTION_DAYS: z.coerce.number().int().min(365, 'Addendum §13.2 promises reveal events are kept 365 days').default(365),
    TENET_EVIDENCE_RETENTION_DAYS: z.coerce.number().int().min(400, 'evidence backs 12-month reviews (DPP 2.6): keep at least 400 days').default(1095),
    TENET_ENTITY_REFRESH_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    TENET_SCHEDULER: bool.default(true),
    // Processes `tenet serve` runs on its port, each a full replica (more than 1 needs DATABASE_URL).
    TENET_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    // How long an API-key lookup is cached on a replica: the longest a key revoked elsewhere keeps working here when
    // the change feed's notice is lost (0: every request asks the database).
    TENET_API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
    TENET_TRUST_PROXY: bool.default(false),
    // Console sign-in with an OpenID Connect provider (optional; see docs/configuration.md).
    TENET_OIDC_ISSUER: oidcUrl.optional(),
    TENET_OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
    TENET_OIDC_ROLE_CLAIM: z.string().min(1).max(200).default('tenet_role'),
    TENET_OIDC_JWKS_URL: oidcUrl.optional(),
    TENET_OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
    TENET_OIDC_SCOPES: z
      .string()
      .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'space-separated scope names')
      .default('openid email profile'),
    TENET_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
    // Keys and anchored evidence (docs/evidence.md): keys never live in the database.
    TENET_KEY_FILE: z.string().min(1).optional(),
    TENET_KEYS: z.string().min(2).optional(),
    TENET_SIGNING_KMS_KEY_ID: z.string().min(1).max(2048).optional(),
    TENET_CHECKPOINT_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    TENET_CHECKPOINT_FILE: z.string().min(1).optional(),
    TENET_CHECKPOINT_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
      .optional(),
    TENET_CHECKPOINT_S3_PREFIX: z.string().max(512).default('tenet/evidence-checkpoints/'),
    TENET_CHECKPOINT_S3_LOCK_MODE: z.enum(['COMPLIANCE', 'GOVERNANCE']).default('COMPLIANCE'),
    TENET_CHECKPOINT_S3_RETAIN_DAYS: z.coerce.number().int().min(1).max(36_500).default(1095),
    // Export of closed days of the decision log to S3 (docs/operations.md, "The decision log"); set: retention drops
    // a day only once it is exported.
    TENET_DECISION_EXPORT_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
      .optional(),
    TENET_DECISION_EXPORT_PREFIX: z
      .string()
      .max(512)
      .regex(/^[A-Za-z0-9!_.*'()/-]*$/, "letters, digits and !_.*'()/- only (S3 safe characters)")
      .default('tenet'),
    TENET_DECISION_EXPORT_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as ap-south-1')
      .optional(),
    // An S3-compatible endpoint or a VPC endpoint's URL (addressed path-style); unset: AWS's own.
    TENET_DECISION_EXPORT_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.TENET_OIDC_ISSUER) !== Boolean(c.TENET_OIDC_CLIENT_ID)) {
      const missing = c.TENET_OIDC_ISSUER ? 'TENET_OIDC_CLIENT_ID' : 'TENET_OIDC_ISSUER';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'TENET_OIDC_ISSUER and TENET_OIDC_CLIENT_ID are set together or not at all' });
    }
    for (const v of ['TENET_DECISION_EXPORT_REGION', 'TENET_DECISION_EXPORT_ENDPOINT'] as const) {
      if (c[v] && !c.TENET_DECISION_EXPORT_BUCKET) ctx.addIssue({ code: 'custom', path: [v], message: 'needs TENET_DECISION_EXPORT_BUCKET' });
    }
    if (c.TENET_OIDC_JWKS_URL && !c.TENET_OIDC_ISSUER) {
      ctx.addIssue({ code: 'custom', path: ['TENET_OIDC_JWKS_URL'], message: 'needs TENET_OIDC_ISSUER and TENET_OIDC_CLIENT_ID' });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: Array<{ variable: string; message: string }>) {
    super('Invalid configuration:\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** The OIDC settings the HTTP layer needs, or undefined when OIDC sign-in is not configured. */
export function oidcSettings(
  config: Config,
): { issuer: string; clientId: string; roleClaim: string; scopes: string; jwksUrl?: string; clientSecret?: string } | undefined {
  if (!config.TENET_OIDC_ISSUER || !config.TENET_OIDC_CLIENT_ID) return undefined;
  return {
    issuer: config.TENET_OIDC_ISSUER,
    clientId: config.TENET_OIDC_CLIENT_ID,
    roleClaim: config.TENET_OIDC_ROLE_CLAIM,
    scopes: config.TENET_OIDC_SCOPES,
    ...(config.TENET_OIDC_JWKS_URL ? { jwksUrl: config.TENET_OIDC_JWKS_URL } : {}),
    ...(config.TENET_OIDC_CLIENT_SECRET ? { clientSecret: config.TENET_OIDC_CLIENT_SECRET } : {}),
  };
}

/** `Secure` on the session cookie: always, never, or when the request came over https (`auto`). */
export function cookieSecure(config: Config): 'auto' | boolean {
  return config.TENET_COOKIE_SECURE === 'auto' ? 'auto' : config.TENET_COOKIE_SECURE === 'true';
}

/**
 * The database time limits alone, from the environment: openDatabase reads them so every command (serve, pack,
 * authorize, migrate) runs with the same limits. Throws a ConfigError naming a bad variable.
 */
export function databaseTimeouts(env: Record<string, string | undefined> = process.env): {
  connectMs: number;
  statementMs: number;
  idleInTransactionMs: number;
  poolWaitMs: number;
} {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(databaseTimeoutShape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = z.object(databaseTimeoutShape).safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(environment)'), message: i.message })));
  }
  const c = parsed.data;
  return {
    connectMs: c.DATABASE_CONNECT_TIMEOUT_MS,
    statementMs: c.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: c.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    poolWaitMs: c.DATABASE_POOL_WAIT_MS,
  };
}

/** Parses the environment. Throws a ConfigError naming every bad variable (never its value: it may be a secret). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}
