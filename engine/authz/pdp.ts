import { uidKey, type Entity, type EntityUid } from './entity.ts';
import { cedarEntityJson, type EntitySource } from './entity-source.ts';
import {
  authorize as evaluate,
  EntityIndex,
  EntityJsonError,
  EntityOverlay,
  RequestValidationError,
  type EntityLookup,
  type StoredEntity,
} from './evaluator/index.ts';
import { valueEquals } from './evaluator/values.ts';
import { uidFromJson } from './evaluator/json-values.ts';
import type { CompiledPolicySet } from './policy-set.ts';
import { redactMessage } from '../scanner/redaction.ts';

/**
 * Error messages can quote what the caller sent (an entity id that is a phone number, a 1.5 MB context key). They
 * go back in the answer and into the decision log, so they pass the one redaction rule of every error body first
 * (masked PII, capped length). Only the deny-with-errors path pays for it.
 */
const redactError = (message: string): string => redactMessage(message);

export interface AuthorizationRequest {
  principal: EntityUid;
  /** `type` defaults to the PDP's action type (`Action` for the platform set); a namespaced schema names its own. */
  action: { type?: string; id: string };
  resource: EntityUid;
  context?: Record<string, unknown>;
  /**
   * Entities that add to the store's for this request only. They never replace a stored one: one the store holds
   * is ignored if it is the same, and makes the decision a deny with an error if it differs. (The HTTP routes
   * refuse any stored uid, and owned types, with 400 before deciding.)
   */
  entities?: Entity[];
}

/** A decision is a value, never an exception. */
export interface Decision {
  decision: 'allow' | 'deny';
  /** The ids of the policies that determined the decision: the satisfied permits of an allow, forbids of a deny. */
  reasons: string[];
  /** Policies that erred (`id: message`), and why a request could not be evaluated at all. */
  errors: string[];
  policyHash: string;
  entityVersion: string;
  latencyUs: number;
  /**
   * Only on a deny, and only when there is something to say: the principal or resource is neither stored nor among
   * the request's entities (`principal User::"nobody" is not stored`), the usual reason a caller is surprised.
   */
  warnings?: string[];
}

class RefusedEntityError extends Error {}

/**
 * The policy decision point for one policy set: Tenet's Cedar evaluator (evaluator/) running the active set's
 * compiled policies over an entity index kept in step with the entity store (every store change is applied to it
 * as it happens), so a decision reads entities in place: no slice, no copy, no JSON round trip, no cache.
 *
 * Decisions are Cedar's, with one deliberate difference: a `forbid` that errors denies (Cedar skips a policy that
 * errors, which for a forbid would turn an error into an allow). A `permit` that errors is skipped as Cedar skips
 * it, and named in `errors`. Anything else that goes wrong — no active set, a request the schema refuses, request
 * entities the schema refuses or that contradict the store, a stored entity the active schema refuses — is a deny
 * with the error in `errors`: never an exception, never an allow.
 */
export class PolicyDecisionPoint {
  readonly name: string;
  private readonly actionType: string;
  private readonly source: EntitySource | undefined;
  private current: CompiledPolicySet | undefined;
  private index: EntityIndex | undefined;
  /** The schema text `index` was built with: entity JSON is read with the schema's types. */
  private indexSchema: string | undefined;
  /**
   * Stored entities the active schema refuses (written under an older schema), with why. They stay in the index
   * with their parents, so the hierarchy below them is right; any decision that reads one of them, or an entity
   * below one, is a deny naming it.
   */
  private readonly refused = new Map<string, string>();
  private readonly stopWatching: (() => void) | undefined;

  constructor(props: { name: string; actionType: string; entities?: EntitySource }) {
    this.name = props.name;
    this.actionType = props.actionType;
    this.source = props.entities;
    this.stopWatching = this.source?.onChange((changed) => this.applyChanges(changed));
  }

  get active(): CompiledPolicySet | undefined {
    return this.current;
  }

  /** Stored entities the active schema refuses: uid key → why. Decisions that read them deny. */
  get refusedEntities(): ReadonlyMap<string, string> {
    return this.refused;
  }

  /**
   * The action entity types the active schema declares (`Action`, or `NS::Action` in a namespaced schema). A request
   * without `action.type` takes the only one there is, else the PDP's own.
   */
  get actionTypes(): ReadonlySet<string> {
    return this.current?.actionTypes ?? new Set();
  }

  /** Entities the active schema (as the evaluator reads it) refuses, with why; [] when all fit. Writes nothing. */
  checkEntities(entities: readonly Entity[]): Array<{ uid: EntityUid; message: string }> {
    const index = this.index;
    if (!index) return entities.map((e) => ({ uid: e.uid, message: 'no active policy set' }));
    const out: Array<{ uid: EntityUid; message: string }> = [];
    for (const e of entities) {
      try {
        index.parse(cedarEntityJson(e));
      } catch (error) {
        out.push({ uid: e.uid, message: (error as Error).message });
      }
    }
    return out;
  }

  /** Makes `compiled` the set every following decision is made with (re-reading the store if its schema changed). */
  activate(compiled: CompiledPolicySet): void {
    if (this.index === undefined || this.indexSchema !== compiled.schema) {
      const { index, refused } = buildIndex(compiled, this.source?.all() ?? []);
      this.index = index;
      this.indexSchema = compiled.schema;
      this.refused.clear();
      for (const [k, v] of refused) this.refused.set(k, v);
    }
    this.current = compiled;
  }

  /** Stops following the entity store. */
  close(): void {
    this.stopWatching?.();
  }

  authorize(request: AuthorizationRequest): Decision {
    const policy = this.current;
    if (!policy) return this.deny(process.hrtime.bigint(), '', ['no active policy set: denying everything']);
    return this.authorizeWith(policy, request);
  }

  /**
   * Decides with a given (possibly not active) policy set. `entities` replaces the store for this call (decision
   * tables run candidates over each table's own entities); `validateRequest: false` skips Cedar's request
   * validation against the schema (Cedar's conformance tests ask for that on some requests; the API never does).
   */
  authorizeWith(policy: CompiledPolicySet, request: AuthorizationRequest, options: { entities?: Entity[]; validateRequest?: boolean } = {}): Decision {
    const started = process.hrtime.bigint();
    try {
      let index: EntityIndex;
      let refused: ReadonlyMap<string, string> = this.refused;
      if (options.entities) {
        const built = buildIndex(policy, options.entities);
        index = built.index;
        refused = built.refused;
      } else if (this.index && this.indexSchema === policy.schema) {
        index = this.index;
      } else {
        const built = buildIndex(policy, this.source?.all() ?? []);
        index = built.index;
        refused = built.refused;
      }
      let lookup: EntityLookup = index;
      if (request.entities?.length) {
        const extra: unknown[] = [];
        try {
          for (const e of request.entities) {
            const json = cedarEntityJson(e);
            const stored = index.get(uidKey(e.uid));
            // Add, never replace: a caller must not rewrite what the store says (tenancy, posture), and a differing
            // copy is not silently dropped either. Copies compare as Cedar values (sets in any order, one form of
            // each reference).
            if (!stored) extra.push(json);
            else if (!sameStored(stored, index.parse(json)))
              return this.deny(started, policy.hash, [`request entity ${uidKey(e.uid)} differs from the stored one: request entities only add, never replace`]);
          }
          if (extra.length) lookup = new EntityOverlay(index, extra);
        } catch (error) {
          if (error instanceof EntityJsonError) return this.deny(started, policy.hash, [`request entities are invalid: ${error.message}`]);
          throw error;
        }
      }
      const plain = lookup;
      if (refused.size) lookup = guarded(lookup, refused);
      const answer = evaluate(
        policy.evaluator,
        lookup,
        {
          principal: request.principal,
          action: {
            type: request.action.type ?? (policy.actionTypes.size === 1 ? policy.actionTypes.values().next().value! : this.actionType),
            id: request.action.id,
          },
          resource: request.resource,
          context: request.context ?? {},
        },
        { failClosed: true, validateRequest: options.validateRequest !== false },
      );
      const decision: Decision = {
        decision: answer.decision,
        reasons: answer.reasons,
        errors: answer.errorDetails.map((e) => redactError(`${e.policyId}: ${e.message}`)),
        policyHash: policy.hash,
        entityVersion: this.source?.version ?? '0',
        latencyUs: 0,
      };
      // Two index reads, and only on a deny: an allow (the hot path's common answer) pays nothing.
      if (answer.decision === 'deny') {
        const warnings = missingEntities(plain, request);
        if (warnings) decision.warnings = warnings;
      }
      decision.latencyUs = Number(process.hrtime.bigint() - started) / 1000;
      return decision;
    } catch (error) {
      if (error instanceof RequestValidationError) return this.deny(started, policy.hash, [`request is invalid: ${error.message}`]);
      if (error instanceof EntityJsonError) return this.deny(started, policy.hash, [`request is invalid: ${error.message}`]);
      if (error instanceof RefusedEntityError) return this.deny(started, policy.hash, [error.message]);
      return this.deny(started, policy.hash, [`evaluation failed: ${(error as Error).message}`]);
    }
  }

  /** Applies entity store changes to the index (called by the store as each change lands). */
  private applyChanges(changed: EntityUid[]): void {
    const index = this.index;
    const policy = this.current;
    if (!index || !policy || !this.source) return;
    const parsed: StoredEntity[] = [];
    for (const uid of changed) {
      const key = uidKey(uid);
      const entity = this.source.get(uid);
      if (!entity) {
        index.remove(uid);
        this.refused.delete(key);
        continue;
      }
      try {
        parsed.push(index.parse(cedarEntityJson(entity)));
        this.refused.delete(key);
      } catch (error) {
        parsed.push(held(entity));
        this.refused.set(key, (error as Error).message);
      }
    }
    writeEntities(index, parsed, this.refused);
  }

  private deny(started: bigint, policyHash: string, errors: string[]): Decision {
    return {
      decision: 'deny',
      reasons: [],
      errors: errors.map(redactError),
      policyHash,
      entityVersion: this.source?.version ?? '0',
      latencyUs: Number(process.hrtime.bigint() - started) / 1000,
    };
  }
}

const EMPTY = new Map();

/** The request's principal and resource that `lookup` (the store, plus the request's entities) does not hold. */
function missingEntities(lookup: EntityLookup, request: AuthorizationRequest): string[] | undefined {
  let out: string[] | undefined;
  for (const [role, uid] of [
    ['principal', request.principal],
    ['resource', request.resource],
  ] as const) {
    const key = uidKey(uid);
    if (!lookup.get(key)) (out ??= []).push(redactError(`${role} ${key} is not stored`));
  }
  return out;
}

/** Same attributes, tags and parents, as Cedar values. */
function sameStored(a: StoredEntity, b: StoredEntity): boolean {
  if (!valueEquals(a.attrs, b.attrs) || !valueEquals(a.tags, b.tags) || a.parents.length !== b.parents.length) return false;
  const parents = new Set(a.parents.map((p) => p.key));
  return b.parents.every((p) => parents.has(p.key));
}

/** A stored entity the schema refuses, held with its parents only (read schema-less): reading it denies. */
function held(entity: Entity): StoredEntity {
  let parents: StoredEntity['parents'] = [];
  try {
    parents = entity.parents.map((p) => uidFromJson(p));
  } catch {
    /* unreadable parents: held without them, and still refused */
  }
  return { uid: uidFromJson(entity.uid), attrs: EMPTY, tags: EMPTY, parents, ancestors: new Set() };
}

/** An index of `entities` read with the policy set's schema; entities the schema refuses are held and listed. */
function buildIndex(policy: CompiledPolicySet, entities: Iterable<Entity>): { index: EntityIndex; refused: Map<string, string> } {
  const index = new EntityIndex({ schema: policy.evaluator.schema });
  const refused = new Map<string, string>();
  const parsed: StoredEntity[] = [];
  for (const e of entities) {
    try {
      parsed.push(index.parse(cedarEntityJson(e)));
    } catch (error) {
      refused.set(uidKey(e.uid), (error as Error).message);
      parsed.push(held(e));
    }
  }
  writeEntities(index, parsed, refused);
  return { index, refused };
}

/**
 * Writes a batch to the index. If it would make a cycle in the hierarchy (which Cedar refuses), the entities are
 * written one at a time and each one that closes a cycle is held without its parents and refused.
 */
function writeEntities(index: EntityIndex, parsed: StoredEntity[], refused: Map<string, string>): void {
  try {
    index.write(parsed);
  } catch {
    for (const e of parsed) {
      try {
        index.write([e]);
      } catch (cycle) {
        index.write([{ ...e, parents: [] }]);
        refused.set(e.uid.key, (cycle as Error).message);
      }
    }
  }
}

/** Reads through `inner`, refusing (with a deny) any entity that is refused or sits below a refused one. */
function guarded(inner: EntityLookup, refused: ReadonlyMap<string, string>): EntityLookup {
  return {
    get(key) {
      const why = refused.get(key);
      if (why !== undefined) throw new RefusedEntityError(`stored entity ${key} does not conform to the active schema (${why}): decisions that read it deny`);
      const e = inner.get(key);
      if (e) {
        for (const a of e.ancestors) {
          const above = refused.get(a);
          if (above !== undefined)
            throw new RefusedEntityError(
              `stored entity ${a}, an ancestor of ${key}, does not conform to the active schema (${above}): decisions that read it deny`,
            );
        }
      }
      return e;
    },
  };
}
