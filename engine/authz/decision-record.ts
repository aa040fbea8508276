import { randomUUID } from 'node:crypto';
import type { AuthorizationRequest, Decision } from './pdp.ts';

/** A decision as the log keeps it: the decision itself, what it was about, and who asked. */
export interface DecisionRecord extends Decision {
  id: string;
  at: Date;
  principal: { type: string; id: string };
  action: string;
  resource: { type: string; id: string };
  /** Context keys only: values may be personal data (a phone in `audience`, fields in `fields`). */
  contextKeys: string[];
  requestId?: string;
  caller?: string;
  /** For the PII-reveal audit: the order's tenancy, looked up from the entity store at decision time. */
  agencyId?: string;
  clientId?: string;
  purpose?: string;
  /** The uids of the entities the request supplied (added to the store's for this decision only); [] if none. */
  requestEntities: Array<{ type: string; id: string }>;
}

/** Purposes are a closed vocabulary in the policies; anything else is dropped rather than stored verbatim. */
const PURPOSE = /^[a-z][a-z0-9_]{0,63}$/;

export function toDecisionRecord(props: {
  request: AuthorizationRequest;
  decision: Decision;
  requestId?: string;
  caller?: string;
  tenancy?: { agencyId?: string; clientId?: string };
}): DecisionRecord {
  const { request, decision } = props;
  const purpose = request.context?.purpose;
  return {
    id: randomUUID(),
    at: new Date(),
    principal: request.principal,
    action: request.action.id,
    resource: request.resource,
    decision: decision.decision,
    reasons: decision.reasons,
    errors: decision.errors,
    policyHash: decision.policyHash,
    entityVersion: decision.entityVersion,
    latencyUs: Math.round(decision.latencyUs),
    contextKeys: Object.keys(request.context ?? {}).sort(),
    requestId: props.requestId,
    caller: props.caller,
    agencyId: props.tenancy?.agencyId,
    clientId: props.tenancy?.clientId,
    purpose: typeof purpose === 'string' && PURPOSE.test(purpose) ? purpose : undefined,
    requestEntities: (request.entities ?? []).map((e) => ({ type: e.uid.type, id: e.uid.id })),
  };
}
