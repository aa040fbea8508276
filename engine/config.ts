import { z } from 'zod';

/**
 * The whole configuration of a Tenet process, parsed once from the environment at start-up.
 * A bad value stops the process with a message naming the variable (see `loadConfig`).
 * Secrets have no defaults: a missing secret is a missing secret.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  TENET_DATA_DIR: z.string().min(1).default('.data'),
  TENET_BOOTSTRAP_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (it becomes an admin API key)')
    .optional(),
  TENET_POLICY_DIR: z.string().min(1).optional(),
  TENET_CONFIG_FILE: z.string().min(1).optional(),
  TENET_SCANNER_SECRET: z.string().min(32, 'must be at least 32 characters (it keys the PII fingerprints)').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TENET_DECISION_QUEUE_MAX: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  TENET_DECISION_BATCH_MAX: z.coerce.number().int().min(1).max(5_000).default(1_000),
  TENET_DECISION_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
  TENET_PII_REVEAL_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(365, 'Addendum §13.2 promises reveal events are kept 365 days')
    .default(365),
  TENET_EVIDENCE_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(400, 'evidence backs 12-month reviews (DPP 2.6): keep at least 400 days')
    .default(1095),
  TENET_DECISION_CACHE_MAX: z.coerce.number().int().min(0).max(10_000_000).default(50_000),
  TENET_ENTITY_REFRESH_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  TENET_SCHEDULER: bool.default(true),
  TENET_TRUST_PROXY: bool.default(false),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: Array<{ variable: string; message: string }>) {
    super(
      'Invalid configuration:\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
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
