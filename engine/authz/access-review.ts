import type { EntityStore } from './entity-store.ts';
import { refId, type Entity } from './entity.ts';
import type { PolicyDecisionPoint } from './pdp.ts';

export type AccessReviewAction = 'reveal_buyer_pii' | 'export' | 'read_credential';

/** One user's access for one action: the clients on which the PDP allows it. */
interface AccessReviewRow {
  user: string;
  roles: string[];
  /** the user's agency; null for platform users */
  agency: string | null;
  action: AccessReviewAction;
  clients: string[];
}

export interface AccessReview {
  rows: AccessReviewRow[];
  /** (user, action, client) grants where the client belongs to another agency than the user */
  crossAgency: number;
  /**
   * Within-agency least privilege: agency-level users (bound to no one client) who may reveal buyer PII on every
   * client of their agency that holds orders (`clients`: how many), however their roles were granted. Flagged for
   * the reviewer to confirm, not counted as a fault.
   */
  agencyWide: Array<{ user: string; roles: string[]; agency: string; clients: number }>;
  /** how many users and clients were reviewed */
  users: number;
  clients: number;
}

const REVIEW_ACTIONS: Array<[AccessReviewAction, string[]]> = [
  ['reveal_buyer_pii', ['Order']],
  ['export', ['Order', 'Report', 'Conversation']],
  ['read_credential', ['Credential']],
];

/**
 * Who can reveal buyer PII, export, or read credentials, on which clients — asked of the PDP for every user and
 * client (with MFA), over the stored entities; never inferred from role names.
 */
export function accessReview(
  deps: { pdp: PolicyDecisionPoint; entities: Pick<EntityStore, 'all'> },
  onUser?: (done: number, total: number) => void,
): AccessReview {
  const clients = [...deps.entities.all('Client')];
  const users = [...deps.entities.all('User')];
  // Up to three resources of each type per client: the decisions are asked on them.
  const byClient = new Map<string, Entity[]>();
  for (const e of deps.entities.all()) {
    const client = refId(e.attrs.client);
    if (!client) continue;
    const key = `${client}\n${e.uid.type}`;
    const list = byClient.get(key) ?? [];
    if (list.length < 3) byClient.set(key, [...list, e]);
  }
  const resources = (types: string[], client: string) => types.flatMap((t) => byClient.get(`${client}\n${t}`) ?? []);
  const rows: AccessReviewRow[] = [];
  const agencyWide: AccessReview['agencyWide'] = [];
  const clientAgency = new Map(clients.map((c) => [c.uid.id, refId(c.attrs.agency)]));
  // The clients of each agency that hold buyer PII (orders): "every client" for the within-agency flag.
  const piiClients = new Map<string, number>();
  for (const c of clients) {
    const a = clientAgency.get(c.uid.id);
    if (a && resources(['Order'], c.uid.id).length) piiClients.set(a, (piiClients.get(a) ?? 0) + 1);
  }
  let crossAgency = 0;
  users.forEach((u, index) => {
    const roles = u.parents.filter((p) => p.type === 'Role').map((p) => p.id);
    const userAgency = refId(u.attrs.agency);
    for (const [action, types] of REVIEW_ACTIONS) {
      const allowed: string[] = [];
      for (const c of clients) {
        const ok = resources(types, c.uid.id).some(
          (r) =>
            deps.pdp.authorize({ principal: u.uid, action: { id: action }, resource: r.uid, context: { mfa: true, purpose: 'access-review' } }).decision ===
            'allow',
        );
        if (ok) {
          allowed.push(c.uid.id);
          const theirs = clientAgency.get(c.uid.id);
          if (userAgency && theirs && userAgency !== theirs) crossAgency++;
        }
      }
      if (allowed.length) rows.push({ user: u.uid.id, roles, agency: userAgency ?? null, action, clients: allowed });
      const own = userAgency ? (piiClients.get(userAgency) ?? 0) : 0;
      const agencyLevel = !u.parents.some((p) => p.type === 'Client');
      if (action === 'reveal_buyer_pii' && userAgency && agencyLevel && own > 0) {
        const onOwn = allowed.filter((id) => clientAgency.get(id) === userAgency).length;
        if (onOwn === own) agencyWide.push({ user: u.uid.id, roles, agency: userAgency, clients: own });
      }
    }
    onUser?.(index + 1, users.length);
  });
  return { rows, crossAgency, agencyWide, users: users.length, clients: clients.length };
}
