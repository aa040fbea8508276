import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { announce } from '../db/change-feed.ts';
import { ConflictError, InputError, NotFoundError, UnavailableError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import { CedarFaultError, CedarUnavailableError, decidingCedar, type CedarRuntime } from './cedar-runtime.ts';
import { CedarSandbox, CedarSandboxError } from './cedar-sandbox.ts';
import {
  assessPolicySet,
  compilePolicySet,
  hashPolicySet,
  PolicySetError,
  type CompiledPolicySet,
  type PolicySetSource,
  type PolicyValidation,
  type TemplateLink,
} from './policy-set.ts';
import type { PolicyDecisionPoint } from './pdp.ts';
import {
  generatedLinkId,
  LINK_ID,
  LinksChangedError,
  templateSlots,
  toPolicyLink,
  toTemplateLink,
  type LinkRequest,
  type LinkRow,
  type PolicyLink,
} from './policy-links.ts';

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

/** Which version and which links a PDP serves: a refresh re-activates only when either changed. */
interface Served {
  versionHash: string;
  linksVersion: string;
}

const POLICY_WRITE_LOCK = 73010002;

function faulted(validation: PolicyValidation, fault: string): PolicyValidation {
  return {
    ok: false,
    errors: [...validation.errors, `Cedar faulted while deciding with this version (${fault}): it is rejected, and the deciding instance was replaced.`],
    warnings: validation.warnings,
  };
}

export async function readShippedPolicySet(props: { dir: string; name: PolicySetName }): Promise<PolicySetSource> {
  const [policies, schema] = await Promise.all([
    readFile(path.join(props.dir, `${props.name}.cedar`), 'utf8'),
    readFile(path.join(props.dir, `${props.name}.cedarschema`), 'utf8'),
  ]);
  return { name: props.name, policies, schema };
}

/**
 * Reads the shipped policy sets through Cedar once, so that start-up's compile of the active versions (usually the
 * same text) finds Cedar's reading remembered (cedar-runtime.ts). Run while something else is being waited for (the
 * embedded database starting in its worker); a set that does not compile is left for start-up to report.
 */
export async function readShippedPolicySetsAhead(dir: string): Promise<void> {
  for (const name of ['platform', 'tenet'] as const) {
    try {
      compilePolicySet(await readShippedPolicySet({ dir, name }));
    } catch {
      // reported where it matters: PolicyStore.init
    }
  }
}

/**
 * Versioned policy sets. A version goes live only if it validates strictly against its schema and every decision
 * table passes; a rejected version is kept (with its report) but never serves. The database holds the truth:
 * on first start the shipped files become version 1; a release that ships different files proposes them as a new
 * version at start-up, which goes live only if it passes, like any other.
 *
 * Template links (policy_links) are per-tenant grants added and removed at runtime without a new version: the set a
 * PDP serves is the active version plus its set's live links (its hash covers both). A link is accepted only if the
 * set it makes validates strictly and passes every decision table, like a version; a version proposed later is
 * judged with the live links, so one that drops a template still linked (or breaks a link's types) is rejected,
 * naming the links. Every write to versions or links is serialised by one advisory lock across replicas.
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
  /** The version and links each PDP serves. */
  private readonly served: Partial<Record<PolicySetName, Served>> = {};
  /** Bumped by each activation: a refresh that read the database before a write's activation does not undo it. */
  private readonly generation: Partial<Record<PolicySetName, number>> = {};

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
      // Known by its hash (of the text): a stored version was checked when it was proposed, so a restart does not
      // compile the shipped files only to find them stored; refresh compiles what is active.
      const known = await this.db.selectFrom('policy_sets').select('id').where('name', '=', name).where('hash', '=', hashPolicySet(shipped)).executeTakeFirst();
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

  /** Picks up a version activated, or links added or removed, by another replica. Cheap when nothing changed. */
  async refresh(name?: PolicySetName): Promise<void> {
    for (const n of name ? [name] : (Object.keys(this.pdps) as PolicySetName[])) {
      const generation = this.generation[n] ?? 0;
      // The links' version first: a link landing between the reads is then picked up by the next refresh.
      const linksVersion = await this.linksVersion(this.db, n);
      const active = await this.db.selectFrom('policy_sets').select(['hash']).where('name', '=', n).where('status', '=', 'active').executeTakeFirst();
      const served = this.served[n];
      if (!active || (served?.versionHash === active.hash && served.linksVersion === linksVersion)) continue;
      const row = await this.db
        .selectFrom('policy_sets')
        .select(['policies', 'schema', 'hash'])
        .where('name', '=', n)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      const links = (await this.liveLinkRows(this.db, n)).map(toTemplateLink);
      let compiled: CompiledPolicySet;
      try {
        compiled = compilePolicySet({ name: n, policies: row.policies, schema: row.schema, links });
      } catch (error) {
        if (!(error instanceof PolicySetError) || links.length === 0) throw error;
        // Links are checked against the version when written, under the lock; should one not fit all the same,
        // serve the version without links (their grants deny) rather than an older version.
        this.logger.error({ policySet: n, err: { message: error.message } }, 'template links do not fit the active version: serving it without links');
        compiled = compilePolicySet({ name: n, policies: row.policies, schema: row.schema });
      }
      // A write on this replica activated meanwhile: it is at least as new as what was read here.
      if ((this.generation[n] ?? 0) !== generation) continue;
      this.activate(n, compiled, { versionHash: row.hash, linksVersion });
      this.logger.info({ policySet: n, hash: compiled.hash, links: links.length }, 'policy set activated');
    }
  }

  private activate(name: PolicySetName, compiled: CompiledPolicySet, served: Served): void {
    this.pdps[name].activate(compiled);
    this.served[name] = served;
    this.generation[name] = (this.generation[name] ?? 0) + 1;
  }

  /** Changes whenever a link of the set is added or removed (every write takes a new sequence value). */
  private async linksVersion(db: Db, name: PolicySetName): Promise<string> {
    const r = await db
      .selectFrom('policy_links')
      .select([sql<string>`coalesce(max(version), 0)::text`.as('v'), sql<string>`count(*)::text`.as('n')])
      .where('policy_set', '=', name)
      .executeTakeFirst();
    return `${r?.v ?? '0'}/${r?.n ?? '0'}`;
  }

  private async liveLinkRows(db: Db, name: PolicySetName): Promise<LinkRow[]> {
    return db
      .selectFrom('policy_links')
      .select(['link_id', 'template_id', 'principal', 'resource', 'created_at', 'created_by'])
      .where('policy_set', '=', name)
      .where('removed_at', 'is', null)
      .orderBy('created_at')
      .orderBy('link_id')
      .execute();
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
   * ConflictError carries the report (the failing cases). It is judged with the set's live template links: a version
   * that drops a template still linked, or that a link no longer fits, is rejected and the report names the links
   * (remove them first). A version's stored hash is that of its text and schema; decisions carry the hash of the set
   * served, which covers the links too (the same when there are none).
   */
  async propose(props: { source: PolicySetSource; createdBy: string; comment?: string }): Promise<{ version: PolicyVersion; report: PolicyCheckReport }> {
    const source: PolicySetSource = { name: props.source.name, policies: props.source.policies, schema: props.source.schema };
    if (!(source.name in this.pdps)) throw new InputError(`unknown policy set "${source.name}"`);
    const versionHash = hashPolicySet(source);
    for (let attempt = 1; ; attempt++) {
      // Judged outside the lock (the sandbox and the tables take time); if a link was added or removed meanwhile,
      // judged again with the links as they are now.
      const linksVersion = await this.linksVersion(this.db, source.name);
      const links = (await this.liveLinkRows(this.db, source.name)).map(toTemplateLink);
      const { report, compiled } = await this.check(links.length ? { ...source, links } : source);
      const status = report.ok ? 'active' : 'rejected';
      let row;
      try {
        row = await this.db.transaction().execute(async (trx) => {
          // Versions are numbered under a lock, so two replicas proposing at once get 1 and 2, not a conflict.
          await sql`select pg_advisory_xact_lock(${sql.lit(POLICY_WRITE_LOCK)})`.execute(trx);
          if ((await this.linksVersion(trx, source.name)) !== linksVersion) throw new LinksChangedError();
          const last = await trx
            .selectFrom('policy_sets')
            .select((eb) => eb.fn.max('version').as('v'))
            .where('name', '=', source.name)
            .executeTakeFirst();
          if (status === 'active') {
            await trx.updateTable('policy_sets').set({ status: 'superseded' }).where('name', '=', source.name).where('status', '=', 'active').execute();
            await announce(trx, 'policies');
          }
          return trx
            .insertInto('policy_sets')
            .values({
              name: source.name,
              version: Number(last?.v ?? 0) + 1,
              hash: versionHash,
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
      } catch (error) {
        if (error instanceof LinksChangedError) {
          if (attempt < 3) continue;
          throw new UnavailableError(`The template links of ${source.name} kept changing while this version was judged: try again.`);
        }
        throw error;
      }
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
        // Problems that name a live link: its own validation errors (`<link id>: ...`) or a missing template.
        const linkProblems = report.validation.errors.filter((e) => e.includes('template link') || links.some((l) => e.startsWith(`${l.newId}: `)));
        throw new ConflictError(
          `Policy set ${source.name} v${version.version} was rejected: it does not pass validation and its decision tables${linkProblems.length ? ` with the live template links (${linkProblems.slice(0, 5).join('; ')})` : ''}.`,
          { version, report },
        );
      }
      this.activate(source.name, compiled, { versionHash, linksVersion });
      this.logger.info({ policySet: source.name, version: version.version, hash: compiled.hash }, 'policy set activated');
      return { version, report };
    }
  }

  /** The live template links of a policy set as a policy set source takes them (what a candidate is judged with). */
  async templateLinks(name: PolicySetName): Promise<TemplateLink[]> {
    if (!(name in this.pdps)) throw new InputError(`unknown policy set "${name}"`);
    return (await this.liveLinkRows(this.db, name)).map(toTemplateLink);
  }

  /** The live template links of a policy set, oldest first. */
  async links(name: PolicySetName): Promise<PolicyLink[]> {
    if (!(name in this.pdps)) throw new InputError(`unknown policy set "${name}"`);
    return (await this.liveLinkRows(this.db, name)).map((r) => toPolicyLink(name, r));
  }

  /**
   * Links a template of the active version: checked against it (the template exists, the id is free — no policy,
   * template or live link has it —, a value for exactly the template's slots), then the set it makes must validate
   * strictly (a slot value of a type no action takes is refused) and pass every decision table, as a version must.
   * Stored and served here at once (other replicas at their next refresh). A link id defaults to
   * generatedLinkId(link). InputError (400) says what is wrong.
   */
  async addLink(props: { name: PolicySetName; link: LinkRequest; createdBy: string }): Promise<PolicyLink> {
    const { name, link } = props;
    if (!(name in this.pdps)) throw new InputError(`unknown policy set "${name}"`);
    const newId = link.newId ?? generatedLinkId(link);
    if (!LINK_ID.test(newId)) throw new InputError(`A link id is 1 to 200 letters, digits and . _ : @ ~ - ("${newId.slice(0, 60)}" is not).`);
    const result = await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(POLICY_WRITE_LOCK)})`.execute(trx);
      const version = await trx
        .selectFrom('policy_sets')
        .select(['policies', 'schema', 'hash'])
        .where('name', '=', name)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (!version) throw new UnavailableError(`No active ${name} policy set.`);
      const rows = await this.liveLinkRows(trx, name);
      const served = this.pdps[name].active;
      const bare =
        served && this.served[name]?.versionHash === version.hash ? served : compilePolicySet({ name, policies: version.policies, schema: version.schema });
      const template = Object.hasOwn(bare.templates, link.templateId) ? bare.templates[link.templateId] : undefined;
      if (template === undefined) {
        const known = Object.keys(bare.templates);
        throw new InputError(
          `The active ${name} policy set has no template "${link.templateId}" (${known.length ? `its templates: ${known.join(', ')}` : 'it has none'}).`,
        );
      }
      if (Object.hasOwn(bare.byId, newId) || Object.hasOwn(bare.templates, newId))
        throw new InputError(`The link id "${newId}" is the id of a policy or template of the active ${name} policy set.`);
      const same = rows.find((r) => r.link_id === newId);
      if (same)
        throw new InputError(`The link id "${newId}" is taken by a live link (of template "${same.template_id}"): remove it first, or choose another id.`);
      const slots = templateSlots(template);
      const problems: string[] = [];
      for (const slot of ['principal', 'resource'] as const) {
        const has = slots.has(`?${slot}`);
        const given = link.values[slot] !== undefined;
        if (has && !given) problems.push(`template "${link.templateId}" has a ?${slot} slot: values.${slot} is required`);
        if (!has && given) problems.push(`template "${link.templateId}" has no ?${slot} slot: values.${slot} must be absent`);
      }
      if (problems.length) throw new InputError(`The link does not fit its template: ${problems.join('; ')}.`, { errors: problems });
      const added = toTemplateLink({
        link_id: newId,
        template_id: link.templateId,
        principal: link.values.principal ?? null,
        resource: link.values.resource ?? null,
      });
      const links = [...rows.map(toTemplateLink), added];
      const { report, compiled } = await this.check({ name, policies: version.policies, schema: version.schema, links });
      if (!report.ok || !compiled) {
        const errors = [
          ...report.validation.errors,
          ...(report.tables?.failed ?? []).map((f) => `decision table ${f.file} "${f.name}": expected ${f.expected}, got ${f.actual}`),
        ];
        const shown = errors.slice(0, 20);
        throw new InputError(`The link is refused: ${shown.join('; ')}${errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : ''}`, {
          errors,
          report,
        });
      }
      const row = await trx
        .insertInto('policy_links')
        .values({
          policy_set: name,
          link_id: newId,
          template_id: link.templateId,
          principal: link.values.principal ? JSON.stringify(link.values.principal) : null,
          resource: link.values.resource ? JSON.stringify(link.values.resource) : null,
          created_by: props.createdBy,
        })
        .returning(['link_id', 'template_id', 'principal', 'resource', 'created_at', 'created_by'])
        .executeTakeFirstOrThrow();
      await announce(trx, 'policies');
      return { row, compiled, versionHash: version.hash, linksVersion: await this.linksVersion(trx, name) };
    });
    // Served here at once: a caller that adds a link and then asks gets the answer it just granted.
    this.activate(name, result.compiled, { versionHash: result.versionHash, linksVersion: result.linksVersion });
    this.logger.info({ policySet: name, link: newId, template: link.templateId, hash: result.compiled.hash }, 'template link added');
    return toPolicyLink(name, result.row);
  }

  /** Removes a live link (kept as a tombstone with who removed it); served here at once. NotFoundError if none. */
  async removeLink(props: { name: PolicySetName; id: string; removedBy: string }): Promise<void> {
    const { name } = props;
    if (!(name in this.pdps)) throw new InputError(`unknown policy set "${name}"`);
    const result = await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(POLICY_WRITE_LOCK)})`.execute(trx);
      const removed = await trx
        .updateTable('policy_links')
        .set({ removed_at: sql`now()`, removed_by: props.removedBy, version: sql`nextval('policy_links_version')` })
        .where('policy_set', '=', name)
        .where('link_id', '=', props.id)
        .where('removed_at', 'is', null)
        .returning('link_id')
        .executeTakeFirst();
      if (!removed) throw new NotFoundError(`The ${name} policy set has no live template link "${props.id}".`);
      await announce(trx, 'policies');
      const version = await trx
        .selectFrom('policy_sets')
        .select(['policies', 'schema', 'hash'])
        .where('name', '=', name)
        .where('status', '=', 'active')
        .executeTakeFirst();
      const links = (await this.liveLinkRows(trx, name)).map(toTemplateLink);
      return { version, links, linksVersion: await this.linksVersion(trx, name) };
    });
    if (result.version) {
      // The remaining links were accepted with this version: compiling them again is trusted and cheap.
      const compiled = compilePolicySet({ name, policies: result.version.policies, schema: result.version.schema, links: result.links });
      this.activate(name, compiled, { versionHash: result.version.hash, linksVersion: result.linksVersion });
    }
    this.logger.info({ policySet: name, link: props.id }, 'template link removed');
  }

  async versions(name: PolicySetName): Promise<PolicyVersion[]> {
    const rows = await this.db
      .selectFrom('policy_sets')
      .select(['version', 'hash', 'status', 'created_at', 'created_by', 'comment'])
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({
      name,
      version: r.version,
      hash: r.hash,
      status: r.status,
      createdAt: r.created_at,
      createdBy: r.created_by,
      comment: r.comment,
    }));
  }
}
