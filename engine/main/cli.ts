import { ConfigError, loadConfig, type Config } from '../kernel/config.ts';
import { wantsHelp } from './commands/args.ts';

type Command = (args: string[], ctx: { config: () => Config }) => Promise<number>;

const USAGE = `Usage: tenet <command> [options]

Commands:
  serve [--port N] [--demo] [--workers N]
                                       API + console + scheduler (npm start = tenet serve --demo)
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
  export-decisions [--day YYYY-MM-DD]  export closed days of the decision log to S3
                                       (TENET_DECISION_EXPORT_BUCKET): JSON Lines, gzip, a manifest each
  openapi [--out FILE]                 print the OpenAPI 3.1 document the server serves at /openapi.json
                                       (built from the route definitions; no database, no server)
  scan-logs --emit-data-protection-policy
                                       print a CloudWatch Logs data protection policy for the India
                                       identifiers and provider keys

tenet <command> --help prints a command's usage and options.
Configuration comes from the environment; see docs/configuration.md.`;

/** A command: its help text (printed by `tenet <command> --help` without loading it) and how to load it. */
interface CommandEntry {
  usage: string;
  load: () => Promise<Command>;
}

const commands: Record<string, CommandEntry> = {
  serve: {
    usage: `Usage: tenet serve [--port N] [--demo] [--workers N]

Runs the API, the console and the scheduler until SIGTERM or SIGINT.

Options:
  --port N     listen on port N (default: PORT, else 8080; 0 picks a free port)
  --demo       load the demo data set and print demo API keys (npm start = tenet serve --demo)
  --workers N  run N processes on the port, each a full replica (default: TENET_WORKERS, else 1;
               more than 1 needs a PostgreSQL server in DATABASE_URL)`,
    load: async () => (await import('./commands/serve.ts')).serve,
  },
  migrate: {
    usage: `Usage: tenet migrate

Applies the database migrations not yet applied (DATABASE_URL, else the embedded database in TENET_DATA_DIR).`,
    load: async () => (await import('./commands/migrate.ts')).migrate,
  },
  policy: {
    usage: `Usage: tenet policy validate|test [--dir DIR]

  validate     strict schema validation of the platform and tenet policy sets
  test         run the decision tables in DIR/cases (exit 1 on any failure)

Options:
  --dir DIR    policy folder (default: TENET_POLICY_DIR, else the shipped policies/)`,
    load: async () => (await import('./commands/policy.ts')).policy,
  },
  authorize: {
    usage: `Usage: tenet authorize --principal T::id --action A --resource T::id [--context JSON] [--entities FILE]

One decision with the active platform policy set and the stored entities (exit 0 allow, 1 deny). Not logged.

Options:
  --principal T::id   the principal, e.g. User::asha
  --action A          the action id, e.g. read
  --resource T::id    the resource, e.g. Order::o-1001
  --context JSON      Cedar context, a JSON object
  --entities FILE     a JSON array of Cedar entities added for this decision`,
    load: async () => (await import('./commands/authorize.ts')).authorize,
  },
  check: {
    usage: `Usage: tenet check [--control ID]... [--snapshot FILE]... [--format table|json]

Runs control checks once, without a database (exit 0 all pass, 1 any fail or error, 2 nothing could be evaluated).

Options:
  --control ID        only this control (repeatable; default: every control)
  --snapshot FILE     evidence only from this AWS Config snapshot file (repeatable)
  --format F          table (default) or json`,
    load: async () => (await import('./commands/check.ts')).check,
  },
  'scan-logs': {
    usage: `Usage: tenet scan-logs [FILE|-] [--format table|json] [--redact] [--workers N]
       tenet scan-logs --emit-data-protection-policy

Scans log lines (plain, or CloudWatch export JSON lines) for PII and secrets; exit 1 if anything is found.

Options:
  --format F                       table (default) or json
  --redact                         write the input back masked (the report goes to stderr)
  --workers N                      worker threads scanning past the first 8 MiB (default: the cores, at most 4;
                                   0: scan in the command's own thread)
  --emit-data-protection-policy    print a CloudWatch Logs data protection policy for the India identifiers
                                   and provider keys`,
    load: async () => (await import('./commands/scan-logs.ts')).scanLogs,
  },
  pack: {
    usage: `Usage: tenet pack --profile sp-api|google [--from DATE] [--to DATE] [--internal] --out FILE.zip

Builds a signed review pack (default period: the 90 days to now).

Options:
  --profile P     sp-api or google
  --from DATE     period start (2026-11-01 or an ISO timestamp)
  --to DATE       period end (default: now)
  --internal      the internal edition, with remediation notes (not for a reviewer)
  --out FILE      where to write the zip`,
    load: async () => (await import('./commands/pack.ts')).pack,
  },
  verify: {
    usage: `Usage: tenet verify FILE.zip [--public-key FILE] [--chain CHECKPOINTS]

Checks a pack offline (exit 0 valid, 1 names what changed).

Options:
  --public-key FILE    a PEM, or the JSON of GET /v1/packs/public-keys
  --chain FILE         also check the pack against a later checkpoint log (JSON lines)`,
    load: async () => (await import('./commands/pack.ts')).verify,
  },
  evidence: {
    usage: `Usage: tenet evidence verify [--public-key KEYS]
       tenet evidence rotate-key
       tenet evidence public-keys

  verify        walk the evidence chain against the signed checkpoints (file, S3, database); names a broken
                link, rewrite or missing range. --public-key: check with these public keys only
  rotate-key    a new signing key in the key file (the old public key stays listed)
  public-keys   the current and retired public keys (JSON)`,
    load: async () => (await import('./commands/pack.ts')).evidence,
  },
  'cedar-test': {
    usage: `Usage: tenet cedar-test PATH... [--root DIR] [--format table|json]

Runs Cedar integration-test files (or every test file in a folder) through Tenet's evaluator; exit 1 on any
decision (or allow reasons) other than Cedar's.

Options:
  --root DIR     resolve the files a test names against DIR (default: the test file's folder)
  --format F     table (default) or json`,
    load: async () => (await import('./commands/cedar-test.ts')).cedarTest,
  },
  openapi: {
    usage: `Usage: tenet openapi [--out FILE]

Prints the OpenAPI 3.1 document the server serves at /openapi.json (no database, no server).

Options:
  --out FILE     write it to FILE instead of standard output`,
    load: async () => (await import('./commands/openapi.ts')).openapi,
  },
  'export-decisions': {
    usage: `Usage: tenet export-decisions [--day YYYY-MM-DD]

Exports closed days (before today, UTC) of the decision log to the S3 bucket TENET_DECISION_EXPORT_BUCKET names:
one gzip JSON Lines object and a manifest per day. A day already exported is not exported again. Exit 0 done,
2 refused or failed (nothing is recorded as exported then).

Options:
  --day D     only this day (default: every closed day not yet exported)`,
    load: async () => (await import('./commands/export-decisions.ts')).exportDecisions,
  },
  'import-scan': {
    usage: `Usage: tenet import-scan --kind sast|dependency-audit|pentest --format sarif|npm-audit|summary --file FILE [--scanned-at DATE]

Imports a scan report as evidence: counts and ids kept, hashed into the evidence chain.

Options:
  --kind K            sast, dependency-audit or pentest
  --format F          sarif, npm-audit (npm audit --json) or summary (pentest summary)
  --file FILE         the report
  --scanned-at DATE   when the scan ran (default: read from the report, else now)`,
    load: async () => (await import('./commands/import-scan.ts')).importScan,
  },
};

/** Runs one command; returns the exit code. Errors are printed without stack traces unless TENET_DEBUG is set. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // `tenet help <command>` is `tenet <command> --help`.
    const topic = name === 'help' && rest[0] ? commands[rest[0]] : undefined;
    console.log(topic ? topic.usage : USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`tenet: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  // Before the command is loaded: help never reads the configuration, opens a database or changes anything.
  if (wantsHelp(rest)) {
    console.log(command.usage);
    return 0;
  }
  let config: Config | undefined;
  const ctx = {
    config: () => (config ??= loadConfig()),
  };
  try {
    return await (
      await command.load()
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
