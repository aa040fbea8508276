import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { ConflictError, InputError, UnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { CedarFaultError, CedarUnavailableError, decidingCedar, type CedarRuntime } from './cedar-runtime.ts';
import { CedarSandbox, CedarSandboxError } from './cedar-sandbox.ts';
import { assessPolicySet, compilePolicySet, type CompiledPolicySet, type PolicySetSource, type PolicyValidation } from './policy-set.ts';
import type { PolicyDecisionPoint } from './pdp.ts';

export type PolicySetName = PolicySetSource['name'];

export interface TableFailure {
  file: string;
  name: string;
  expected: string;
  actual: string;
  reasons: string[];
  errors: string[];
}

/** Runs the decision tables of one policy set against a candidate: the gate a version passes to go live. */
export type TableRunner = (candidate: CompiledPolicySet) => Promise<{ passed: number; failed: TableFailure[] }>;

export interface PolicyCheckReport {
  ok: boolean;
  hash?: string;
  validation: PolicyValidation;
  tables?: { passed: number; failed: TableFailure[] };
}

export interface PolicyVersion {
  name: PolicySetName;
  version: number;
  hash: string;
  status: 'active' | 'superseded' | 'rejected';
  createdAt: Date;
  createdBy: string;
  comment: string | null;
}

function faulted(validation: PolicyValidation, fault: string): PolicyValidation {
  return { ok: false, errors: [...validation.errors, `Cedar faulted while deciding with this version (${fault}): it is rejected, and the deciding instance was replaced.`], warnings: validation.warnings };
}

export async function readShippedPolicySet(props: { dir: string; name: PolicySetName }): Promise<PolicySetSource> {
  const [policies, schema] = await Promise.all([
    readFile(path.join(props.dir, `${props.name}.cedar`), 'utf8'),
    readFile(path.join(props.dir, `${props.name}.cedarschema`), 'utf8'),
  ]);
  return { name: props.name, policies, schema };
}

/**
 * Versioned policy sets. A version goes live only if it validates strictly against its schema and every decision
 * table passes; a rejected version is kept (with its report) but never serves. The database holds the truth:
 * on first start the shipped files become version 1; a release that ships different files proposes them as a new
 * version at start-up, which goes live only if it passes, like any other.
 */
export class PolicyStore {
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly pdps: Record<PolicySetName, PolicyDecisionPoint>;
  private readonly runners: Record<PolicySetName, TableRunner>;
  private readonly shippedDir: string;
  /** Where callers' Cedar text is parsed and validated (never in the deciding instance). */
  readonly sandbox: CedarSandbox;
  private readonly deciding: CedarRuntime;

  constructor(props: {
    db: Db;
    logger: Logger;
    pdps: Record<PolicySetName, PolicyDecisionPoint>;
    runners: Record<PolicySetName, TableRunner>;
    shippedDir: string;
    sandbox?: CedarSandbox;
    deciding?: CedarRuntime;
  }) {
    this.db = props.db;
    this.logger = props.logger;
    this.pdps = props.pdps;
    this.runners = props.runners;
    this.shippedDir = props.shippedDir;
    this.sandbox = props.sandbox ?? new CedarSandbox();
    this.deciding = props.deciding ?? decidingCedar;
  }

  /** Loads the active versions into the PDPs, seeding or upgrading from the shipped files. */
  async init(): Promise<void> {
    for (const name of Object.keys(this.pdps) as PolicySetName[]) {
      const shipped = await readShippedPolicySet({ dir: this.shippedDir, name });
      const compiled = compilePolicySet(shipped);
      const known = await this.db.selectFrom('policy_sets').select('id').where('name', '=', name).where('hash', '=', compiled.hash).executeTakeFirst();
      if (!known) {
        try {
          await this.propose({ source: shipped, createdBy: 'shipped files', comment: 'shipped with this release' });
        } catch (error) {
          // The shipped set failed its own tables: keep serving the active version (if any) and say so loudly.
          this.logger.error({ policySet: name, err: { message: (error as Error).message } }, 'shipped policy set rejected');
        }
      }
      await this.refresh(name);
      if (!this.pdps[name].active) throw new Error(`No usable ${name} policy set: the shipped one was rejected and none is active.`);
    }
  }

  /** Picks up a version activated by another replica. Cheap when nothing changed. */
  async refresh(name?: PolicySetName): Promise<void> {
    for (const n of name ? [name] : (Object.keys(this.pdps) as PolicySetName[])) {
      const active = await this.db.selectFrom('policy_sets').select(['hash']).where('name', '=', n).where('status', '=', 'active').executeTakeFirst();
      if (!active || this.pdps[n].active?.hash === active.hash) continue;
      const row = await this.db.selectFrom('policy_sets').select(['policies', 'schema']).where('name', '=', n).where('status', '=', 'active').executeTakeFirstOrThrow();
      this.pdps[n].activate(compilePolicySet({ name: n, policies: row.policies, schema: row.schema }));
      this.logger.info({ policySet: n, hash: active.hash }, 'policy set activated');
    }
  }

  active(name: PolicySetName): CompiledPolicySet {
    const a = this.pdps[name].active;
    if (!a) throw new Error(`no active ${name} policy set`);
    return a;
  }

  /**
   * Validates (in the sandbox), then compiles and runs the decision tables, without storing anything.
   * A text too large for the sandbox is an InputError; a busy sandbox or a deciding instance being replaced is
   * UnavailableError (503): nothing is judged then.
   */
  async check(source: PolicySetSource): Promise<{ report: PolicyCheckReport; compiled?: CompiledPolicySet }> {
    let assessed: Awaited<ReturnType<typeof assessPolicySet>>;
    try {
      assessed = await assessPolicySet(source, this.sandbox);
    } catch (error) {
      if (error instanceof CedarSandboxError) {
        if (error.kind === 'too_large') throw new InputError(error.message);
        throw new UnavailableError(error.message);
      }
      if (error instanceof CedarUnavailableError) throw new UnavailableError(error.message);
      throw error;
    }
    const { validation, compiled } = assessed;
    if (!validation.ok || !compiled) return { report: { ok: false, validation } };
    // Decision tables run through the evaluator; a Cedar fault in the deciding instance meanwhile (the sandbox is
    // the first line, not a proof) rejects the candidate.
    const faultsBefore = this.deciding.faults;
    let tables: Awaited<ReturnType<TableRunner>>;
    try {
      tables = await this.runners[source.name](compiled);
    } catch (error) {
      if (error instanceof CedarFaultError) return { report: { ok: false, hash: compiled.hash, validation: faulted(validation, error.fault) } };
      if (error instanceof CedarUnavailableError) throw new UnavailableError(error.message);
      throw error;
    }
    if (this.deciding.faults !== faultsBefore) {
      return { report: { ok: false, hash: compiled.hash, validation: faulted(validation, this.deciding.fault ?? 'unknown'), tables } };
    }
    return { report: { ok: tables.failed.length === 0, hash: compiled.hash, validation, tables }, compiled };
  }

  /**
   * Stores a new version. It becomes active only if it passes; otherwise it is stored as rejected and a
   * ConflictError carries the report (the failing cases).
   */
  async propose(props: { source: PolicySetSource; createdBy: string; comment?: string }): Promise<{ version: PolicyVersion; report: PolicyCheckReport }> {
    const { source } = props;
    if (!(source.name in this.pdps)) throw new InputError(`unknown policy set "${source.name}"`);
    const { report, compiled } = await this.check(source);
    const status = report.ok ? 'active' : 'rejected';
    const row = await this.db.transaction().execute(async (trx) => {
      // Versions are numbered under a lock, so two replicas proposing at once get 1 and 2, not a conflict.
      await sql`select pg_advisory_xact_lock(73010002)`.execute(trx);
      const last = await trx.selectFrom('policy_sets').select((eb) => eb.fn.max('version').as('v')).where('name', '=', source.name).executeTakeFirst();
      if (status === 'active') {
        await trx.updateTable('policy_sets').set({ status: 'superseded' }).where('name', '=', source.name).where('status', '=', 'active').execute();
      }
      return trx
        .insertInto('policy_sets')
        .values({
          name: source.name,
          version: Number(last?.v ?? 0) + 1,
          hash: report.hash ?? compiled?.hash ?? 'invalid',
          policies: source.policies,
          schema: source.schema,
          status,
          created_by: props.createdBy,
          comment: props.comment ?? null,
          report: JSON.stringify(report),
        })
        .returning(['version', 'hash', 'status', 'created_at', 'created_by', 'comment'])
        .executeTakeFirstOrThrow();
    });
    const version: PolicyVersion = {
      name: source.name,
      version: row.version,
      hash: row.hash,
      status: row.status,
      createdAt: row.created_at,
      createdBy: row.created_by,
      comment: row.comment,
    };
    if (!report.ok || !compiled) {
      throw new ConflictError(`Policy set ${source.name} v${version.version} was rejected: it does not pass validation and its decision tables.`, { version, report });
    }
    this.pdps[source.name].activate(compiled);
    this.logger.info({ policySet: source.name, version: version.version, hash: version.hash }, 'policy set activated');
    return { version, report };
  }

  async versions(name: PolicySetName): Promise<PolicyVersion[]> {
    const rows = await this.db
      .selectFrom('policy_sets')
      .select(['version', 'hash', 'status', 'created_at', 'created_by', 'comment'])
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({ name, version: r.version, hash: r.hash, status: r.status, createdAt: r.created_at, createdBy: r.created_by, comment: r.comment }));
  }
}
