import { sql } from 'kysely';
import type { Db } from '../../engine/db/database.ts';
import { maskValue } from '../../engine/scanner/masking.ts';
import type { DetectorId, Scanner } from '../../engine/scanner/types.ts';

/**
 * A person as a pack names them (who signed, requested, approved): an e-mail address is personal data, and a pack
 * holds none, so its local part is masked and its domain kept ("pr**********ty at astrix.example"); any other name
 * (a person's, a role, "shipped files", an API key's name) as it is. The full identity of an attestation's signer is
 * inside its signed JWS, which the reviewer checks against the organisation's key.
 */
export function person(name: string | null | undefined, fallback = 'not recorded'): string {
  if (!name) return fallback;
  return name.replace(/([A-Za-z0-9._%+-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, (_, local: string, domain: string) => `${maskValue(local)} at ${domain}`);
}

/** distinct values read from one column: more would be no organisation's staff */
const PEOPLE_PER_COLUMN = 100_000;

/**
 * The organisation's own people, as Tenet holds them:
 *  - everyone Tenet recorded as acting: the distinct values of every `*_by` text column of its tables (who approved
 *    or requested an exception, certified the access review, signed an attestation, opened or closed an
 *    incident...), as the actor was written ("Priya Sharma (user 00u1ab)", a key's name, an e-mail address); read
 *    from the catalogue, so a table added later is covered without being listed here;
 *  - the platform's users: the ids of its `User` entities (deleted ones too) and of every principal that revealed
 *    buyer PII, which the access review and the reveal counts list (often an e-mail address).
 */
export async function ownPeople(db: Db): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name LIKE '%\\_by' AND data_type = 'text'
    ORDER BY table_name, column_name`.execute(db);
  const people = new Set<string>();
  const add = (rows: Array<{ v: string | null }>) => {
    for (const r of rows) if (r.v?.trim()) people.add(r.v);
  };
  for (const { table_name: table, column_name: column } of columns.rows) {
    const rows = await sql<{ v: string }>`
      SELECT DISTINCT ${sql.ref(column)} AS v FROM ${sql.table(table)} WHERE ${sql.ref(column)} IS NOT NULL LIMIT ${PEOPLE_PER_COLUMN}`.execute(db);
    add(rows.rows);
  }
  add(await db.selectFrom('entities').select('id as v').where('type', '=', 'User').limit(PEOPLE_PER_COLUMN).execute());
  add(await db.selectFrom('pii_reveals').select('principal_id as v').distinct().limit(PEOPLE_PER_COLUMN).execute());
  return [...people];
}

/** the detectors that can find a person's own identity in an actor's name */
const PEOPLE: ReadonlySet<DetectorId> = new Set(['person_name', 'email']);

/** the detector that finds a host configured by its public IP address */
const IP: ReadonlySet<DetectorId> = new Set(['ip_address']);

/** " (user 00u1ab)" or " (key k-12)" after an actor's name (engine/http/route.ts `actor`) */
const ACTOR_ID = /\s+\((?:user|key) [^()]*\)\s*$/;

/**
 * The pack's scanner: the install's scanner, except that what the organisation itself is, and Tenet recorded or was
 * configured with, is not raw PII:
 *  - its people (`people`, ownPeople): a pack names the people accountable for what it reports (the approver of an
 *    exception, the reviewer who certified the access review) and who holds access (the access review), and its
 *    evidence records and policies quote them as recorded;
 *  - the hosts Tenet may probe (`hosts`, `probes.allowedHosts`): an endpoint configured by its public IP address is
 *    the organisation's server, named in the TLS probe's evidence, not a visitor's address.
 * Matched by fingerprint (the same normalised value, found by a detector of its kind), wherever it stands; anything
 * else the scanner finds still refuses the pack. So a buyer who shares a name with one of the organisation's actors
 * is not refused either.
 */
export function packScanner(scanner: Scanner, own: { people: readonly string[]; hosts: readonly string[] }): Scanner {
  const allowed = new Set<string>();
  const allow = (text: string, kinds: ReadonlySet<DetectorId>) => {
    for (const f of scanner.scan(text)) if (kinds.has(f.detector)) allowed.add(`${f.detector}:${f.fingerprint}`);
  };
  for (const actor of own.people) {
    const name = actor.replace(ACTOR_ID, '').trim();
    allow(actor, PEOPLE);
    if (name && name !== actor) allow(name, PEOPLE);
    // a name the scanner finds only by its key (`"name": "Sam Security"`)
    if (name) allowed.add(`person_name:${scanner.fingerprint('person_name', name)}`);
  }
  for (const host of own.hosts) allow(host.replace(/:\d+$/, ''), IP);
  if (allowed.size === 0) return scanner;
  return {
    scan: (text, options) => scanner.scan(text, options).filter((f) => !allowed.has(`${f.detector}:${f.fingerprint}`)),
    redact: (text) => scanner.redact(text),
    fingerprint: (detector, value) => scanner.fingerprint(detector, value),
  };
}
