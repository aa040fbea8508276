import v8 from 'node:v8';
import * as cedar from './cedar-runtime.ts';
import { CedarUnavailableError, decidingCedar } from './cedar-runtime.ts';
import { sameEntity, uidKey, type Entity, type EntityUid } from './entity.ts';
import { DecisionCache } from './decision-cache.ts';
import { indexEntity, sliceEntities, type IndexedEntity } from './entity-slice.ts';
import { actionPlan, type CompiledPolicySet } from './policy-set.ts';
import { redactMessage } from '../redaction.ts';

/**
 * Error messages can quote what the caller sent (an entity id that is a phone number, a 1.5 MB context key). They
 * go back in the answer and into the decision log, so they pass the one redaction rule of every error body first
 * (masked PII, capped length). Only the deny-with-errors path pays for it.
 */
const redactError = (message: string): string => redactMessage(message);

// Node 20's V8 crashes ("Fatal error ... unreachable code" in Deoptimizer::DoComputeBuiltinContinuation) when
// an optimised function that inlined a JS→Wasm call into cedar-wasm is lazily deoptimised while the call is on
// the stack — which happens under load. Not inlining JS→Wasm calls avoids that frame shape; it costs nothing
// measurable next to the evaluation itself. Set before any of our code is optimised.
v8.setFlagsFromString('--no-turbo-inline-js-wasm-calls');

export interface AuthorizationRequest {
  principal: EntityUid;
  action: { id: string };
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
  /** The `@id`s of the policies that determined the decision. */
  reasons: string[];
  errors: string[];
  policyHash: string;
  entityVersion: string;
  latencyUs: number;
}

export class PolicyNotLoadedError extends Error {}

/**
 * The policy decision point for one policy set. Policies are preparsed once per version (`preparsePolicySet`),
 * so a decision pays only for evaluation; the evaluator gets the request's slice of the entity store, never all
 * of it. Requests are validated against the schema before evaluation (SchemaModel).
 *
 * Fail closed: anything that goes wrong — an unknown policy set, a request the schema rejects, an entity the
 * schema rejects, a policy that errors while evaluating — is a deny, with the error in `errors`. Cedar on its own
 * skips a policy that errors; for a `forbid` that would turn an error into an allow, so we do not accept that.
 */
export class PolicyDecisionPoint {
  readonly name: string;
  private readonly actionType: string;
  private readonly lookup: (key: string) => IndexedEntity | undefined;
  private readonly entityVersion: () => string;
  private current: CompiledPolicySet | undefined;
  private readonly preparsed = new Set<string>();
  /** The deciding instance's replacement count the cache was filled under. */
  private cedarGeneration = decidingCedar.replacements;
  /** Memoised decisions (see DecisionCache); `cache: false` turns it off, e.g. to measure raw evaluation. */
  readonly cache: DecisionCache | undefined;

  constructor(props: {
    name: string;
    actionType: string;
    lookup?: (key: string) => IndexedEntity | undefined;
    entityVersion?: () => string;
    cache?: DecisionCache | false;
  }) {
    this.cache = props.cache === false ? undefined : (props.cache ?? new DecisionCache());
    this.name = props.name;
    this.actionType = props.actionType;
    this.lookup = props.lookup ?? (() => undefined);
    this.entityVersion = props.entityVersion ?? (() => '0');
  }

  get active(): CompiledPolicySet | undefined {
    return this.current;
  }

  /** Preparses a compiled policy set (idempotent per hash). Throws if cedar rejects it. */
  prepare(compiled: CompiledPolicySet): string {
    const id = `${this.name}:${compiled.hash}`;
    if (this.preparsed.has(id)) return id;
    const p = cedar.preparsePolicySet(id, { staticPolicies: compiled.byId });
    if (p.type === 'failure') throw new Error(`policy set does not parse: ${p.errors.map((e) => e.message).join('; ')}`);
    this.preparsed.add(id);
    return id;
  }

  /** Makes `compiled` the set every following decision is made with. */
  activate(compiled: CompiledPolicySet): void {
    this.prepare(compiled);
    this.current = compiled;
  }

  authorize(request: AuthorizationRequest): Decision {
    const policy = this.current;
    if (!policy) return this.deny(process.hrtime.bigint(), '', ['no active policy set: denying everything']);
    return this.authorizeWith(policy, request);
  }

  /** Decides with a given (possibly not active) policy set: decision tables run candidates through this. */
  authorizeWith(policy: CompiledPolicySet, request: AuthorizationRequest, lookup = this.lookup): Decision {
    const started = process.hrtime.bigint();
    // Fail closed while the deciding Cedar instance is being replaced after a fault (cedar-runtime.ts): deny, even
    // what the cache holds. After a replacement the cache starts empty: answers the faulted instance gave are not
    // kept (a fault is seen where it traps, not where memory may first have gone wrong).
    if (!decidingCedar.healthy) return this.deny(started, policy.hash, [new CedarUnavailableError().message]);
    if (this.cedarGeneration !== decidingCedar.replacements) {
      this.cedarGeneration = decidingCedar.replacements;
      this.cache?.clear();
    }
    try {
      this.prepare(policy);
      const plan = actionPlan(policy, this.actionType, request.action.id);
      const invalid = policy.schemaModel.validateRequest({
        principal: request.principal,
        action: `${this.actionType}::${request.action.id}`,
        resource: request.resource,
        context: request.context,
      });
      if (invalid.length) return this.deny(started, policy.hash, invalid);
      let overrides: Map<string, IndexedEntity> | undefined;
      if (request.entities?.length) {
        // Stored entities were checked against the schema when written; these arrive with the request.
        const check = cedar.checkParseEntities({ entities: request.entities as cedar.Entities, schema: policy.schema });
        if (check.type === 'failure') return this.deny(started, policy.hash, check.errors.map((e) => `request entities are invalid: ${e.message}`));
        overrides = new Map();
        for (const e of request.entities) {
          const key = uidKey(e.uid);
          const given = policy.schemaModel.normaliseEntity(e);
          const stored = lookup(key);
          // Add, never replace: a caller must not rewrite what the store says (tenancy, posture), and a differing
          // copy is not silently dropped either.
          if (!stored) overrides.set(key, indexEntity(given));
          else if (!sameEntity(stored.entity, given)) return this.deny(started, policy.hash, [`request entity ${key} differs from the stored one: request entities only add, never replace`]);
        }
      }
      const entities = sliceEntities({
        principal: request.principal,
        resource: request.resource,
        lookup,
        overrides,
        plan,
        context: request.context,
      });
      const cacheKey = overrides || !this.cache
        ? undefined
        : this.cache.key({ planKey: plan.key, principal: request.principal, resource: request.resource, context: request.context, slice: entities, literalUids: plan.literalUids });
      const cached = cacheKey ? this.cache!.get(cacheKey) : undefined;
      if (cached) {
        return { ...cached, errors: [], policyHash: policy.hash, entityVersion: this.entityVersion(), latencyUs: Number(process.hrtime.bigint() - started) / 1000 };
      }
      const answer = cedar.statefulIsAuthorized({
        principal: request.principal,
        action: { type: this.actionType, id: request.action.id },
        resource: request.resource,
        context: (request.context ?? {}) as cedar.Context,
        entities: entities as cedar.Entities,
        preparsedPolicySetId: plan.key,
        // Schema-less on purpose: the request was validated above (see SchemaModel for why).
        validateRequest: false,
      });
      if (answer.type === 'failure') {
        return this.deny(started, policy.hash, answer.errors.map((e) => e.message));
      }
      const { decision, diagnostics } = answer.response;
      const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
      if (errors.length) return this.deny(started, policy.hash, errors);
      if (cacheKey) this.cache!.set(cacheKey, { decision, reasons: diagnostics.reason });
      return {
        decision,
        reasons: diagnostics.reason,
        errors: [],
        policyHash: policy.hash,
        entityVersion: this.entityVersion(),
        latencyUs: Number(process.hrtime.bigint() - started) / 1000,
      };
    } catch (error) {
      return this.deny(started, policy.hash, [`evaluation failed: ${(error as Error).message}`]);
    }
  }

  private deny(started: bigint, policyHash: string, errors: string[]): Decision {
    return {
      decision: 'deny',
      reasons: [],
      errors: errors.map(redactError),
      policyHash,
      entityVersion: this.entityVersion(),
      latencyUs: Number(process.hrtime.bigint() - started) / 1000,
    };
  }
}
