import { ConfigError, loadConfig, type Config } from '../kernel/config.ts';

type Command = (args: string[], ctx: { config: () => Config }) => Promise<number>;

const USAGE = `Usage: tenet <command> [options]

Commands:
  serve [--port N] [--demo]            API + console + scheduler (npm start = tenet serve --demo)
  migrate                              run database migrations
  policy validate                      strict schema validation of the shipped policy sets
  policy test                          run the decision tables in policies/cases
  authorize --principal T::id --action A --resource T::id [--context JSON] [--entities FILE]
                                       one decision with the active platform policy set
  check [--control ID]... [--snapshot FILE]... [--format table|json]
                                       run control checks once (exit 0 all pass, 1 any fail or error,
                                       2 nothing could be evaluated); evidence from TENET_CONFIG_FILE,
                                       or only the AWS Config snapshot files given
  scan-logs [FILE|-] [--format table|json] [--redact]
                                       scan log lines (plain, or CloudWatch export JSON lines) for PII
                                       and secrets; exit 1 if anything is found. --redact writes the
                                       input back masked (report on stderr)
  pack --profile sp-api|google [--from DATE] [--to DATE] [--internal] --out FILE.zip
                                       build a signed review pack (default period: 90 days to now)
  verify FILE.zip [--public-key FILE] [--chain CHECKPOINTS]
                                       check a pack offline (exit 0 valid, 1 names what changed);
                                       --chain: also against a later checkpoint log
  evidence verify                      walk the evidence chain against the signed checkpoints (file,
                                       S3, database); names a broken link, rewrite or missing range
  evidence rotate-key                  new signing key in the key file (old public key kept listed)
  evidence public-keys                 the current and retired public keys (JSON)
  cedar-test PATH... [--root DIR] [--format table|json]
                                       run Cedar integration-test files through Tenet's evaluator;
                                       exit 1 on any decision (or allow reasons) other than Cedar's
  import-scan --kind sast|dependency-audit|pentest --format sarif|npm-audit|summary --file FILE
                                       import a scan report (SARIF, npm audit --json, pentest summary)
                                       as evidence: counts and ids kept, hashed into the evidence chain
  openapi [--out FILE]                 print the OpenAPI 3.1 document the server serves at /openapi.json
                                       (built from the route definitions; no database, no server)
  scan-logs --emit-data-protection-policy
                                       print a CloudWatch Logs data protection policy for the India
                                       identifiers and provider keys

Configuration comes from the environment; see docs/configuration.md.`;

const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).serve,
  migrate: async () => (await import('./commands/migrate.ts')).migrate,
  policy: async () => (await import('./commands/policy.ts')).policy,
  authorize: async () => (await import('./commands/authorize.ts')).authorize,
  check: async () => (await import('./commands/check.ts')).check,
  'scan-logs': async () => (await import('./commands/scan-logs.ts')).scanLogs,
  pack: async () => (await import('./commands/pack.ts')).pack,
  verify: async () => (await import('./commands/pack.ts')).verify,
  evidence: async () => (await import('./commands/pack.ts')).evidence,
  'cedar-test': async () => (await import('./commands/cedar-test.ts')).cedarTest,
  openapi: async () => (await import('./commands/openapi.ts')).openapi,
  'import-scan': async () => (await import('./commands/import-scan.ts')).importScan,
};

/** Runs one command; returns the exit code. Errors are printed without stack traces unless TENET_DEBUG is set. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`tenet: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  let config: Config | undefined;
  const ctx = {
    config: () => (config ??= loadConfig()),
  };
  try {
    return await (
      await load()
    )(rest, ctx);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    console.error(`tenet ${name}: ${(error as Error).message}`);
    if (process.env.TENET_DEBUG) console.error(error);
    return 2;
  }
}
