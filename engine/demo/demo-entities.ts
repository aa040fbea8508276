import type { Entity } from '../authz/entity.ts';

/**
 * The demo platform: two agencies of the governed SaaS, their clients and users, the integration inventory of
 * Addendum §3, and a few orders, conversations and credentials. Names are invented; nothing here is real data.
 */
const ref = (type: string, id: string) => ({ __entity: { type, id } });
const uid = (type: string, id: string) => ({ type, id });

/** Addendum §3 (live / planned) and §28 (restricted: partner-reviewed, restricted-data integrations). */
const INTEGRATIONS: Array<{ id: string; status: 'live' | 'planned' | 'suspended'; restricted: boolean }> = [
  { id: 'amazon_spapi', status: 'live', restricted: true },
  { id: 'amazon_ads', status: 'live', restricted: false },
  { id: 'google_ads', status: 'live', restricted: true },
  { id: 'google_analytics', status: 'live', restricted: true },
  { id: 'google_sheets', status: 'live', restricted: true },
  { id: 'google_docs', status: 'live', restricted: true },
  { id: 'youtube', status: 'live', restricted: true },
  { id: 'whatsapp', status: 'live', restricted: true },
  { id: 'meta_ads', status: 'live', restricted: false },
  { id: 'instagram', status: 'live', restricted: false },
  { id: 'facebook', status: 'live', restricted: false },
  { id: 'threads', status: 'live', restricted: false },
  { id: 'x', status: 'live', restricted: false },
  { id: 'stripe', status: 'live', restricted: false },
  { id: 'razorpay', status: 'planned', restricted: false },
  { id: 'delhivery', status: 'live', restricted: false },
  { id: 'shiprocket', status: 'planned', restricted: false },
  { id: 'apollo', status: 'live', restricted: false },
  { id: 'instantly', status: 'suspended', restricted: false },
  { id: 'canva', status: 'live', restricted: false },
  { id: 'sharepoint', status: 'live', restricted: false },
  { id: 'jira', status: 'live', restricted: false },
  { id: 'wix', status: 'live', restricted: false },
  { id: 'flipkart', status: 'planned', restricted: false },
  { id: 'meesho', status: 'planned', restricted: false },
  { id: 'linkedin', status: 'planned', restricted: false },
  { id: 'linkedin_ads', status: 'planned', restricted: false },
];

function integrationEntity(i: { id: string; status: string; restricted: boolean }, ready: boolean): Entity {
  return { uid: uid('Integration', i.id), attrs: { provider: i.id, restricted: i.restricted, status: i.status, ready }, parents: [] };
}

interface ClientSpec {
  id: string;
  agency: string;
  integrations: string[];
}

const AGENCIES = ['northwind', 'saffron'];
const CLIENTS: ClientSpec[] = [
  { id: 'chai-co', agency: 'northwind', integrations: ['amazon_spapi', 'amazon_ads', 'whatsapp', 'google_ads', 'delhivery', 'stripe', 'canva'] },
  { id: 'kora-home', agency: 'northwind', integrations: ['google_analytics', 'google_sheets', 'meta_ads', 'instagram', 'apollo', 'instantly', 'jira'] },
  { id: 'masala-mart', agency: 'saffron', integrations: ['amazon_spapi', 'whatsapp', 'delhivery', 'stripe', 'google_docs'] },
];

const USERS: Array<{ id: string; role: string; agency?: string; client?: string }> = [
  { id: 'asha', role: 'agency_admin', agency: 'northwind' },
  { id: 'ravi', role: 'agency_user', agency: 'northwind' },
  { id: 'meera', role: 'client_user', agency: 'northwind', client: 'chai-co' },
  { id: 'dev', role: 'agency_admin', agency: 'saffron' },
  { id: 'kabir', role: 'client_user', agency: 'saffron', client: 'masala-mart' },
  { id: 'ops-root', role: 'platform_admin' },
];

function userEntity(u: { id: string; role: string; agency?: string; client?: string }): Entity {
  const parents = [uid('Role', u.role)];
  if (u.agency) parents.push(uid('Agency', u.agency));
  if (u.client) parents.push(uid('Client', u.client));
  return { uid: uid('User', u.id), attrs: u.agency ? { agency: ref('Agency', u.agency) } : {}, parents };
}

function clientEntity(c: ClientSpec): Entity {
  return {
    uid: uid('Client', c.id),
    attrs: { agency: ref('Agency', c.agency), integrations: c.integrations.map((i) => ref('Integration', i)) },
    parents: [uid('Agency', c.agency)],
  };
}

function resourceEntity(type: string, id: string, client: ClientSpec, integration: string, extra: Record<string, unknown> = {}): Entity {
  return {
    uid: uid(type, id),
    attrs: { agency: ref('Agency', client.agency), client: ref('Client', client.id), integration: ref('Integration', integration), ...extra },
    parents: [uid('Client', client.id)],
  };
}

export function buildDemoEntities(props: { ready?: (integration: string) => boolean } = {}): Entity[] {
  const ready = props.ready ?? (() => true);
  const out: Entity[] = [];
  for (const r of ['platform_admin', 'agency_admin', 'agency_user', 'client_user']) out.push({ uid: uid('Role', r), attrs: {}, parents: [] });
  for (const a of AGENCIES) out.push({ uid: uid('Agency', a), attrs: {}, parents: [] });
  for (const i of INTEGRATIONS) out.push(integrationEntity(i, ready(i.id)));
  for (const c of CLIENTS) out.push(clientEntity(c));
  for (const u of USERS) out.push(userEntity(u));
  out.push({ uid: uid('Service', 'order-import'), attrs: {}, parents: [] });
  out.push({ uid: uid('Service', 'whatsapp-inbound'), attrs: {}, parents: [] });
  const [chai, kora, masala] = CLIENTS;
  out.push(resourceEntity('Order', 'o-1001', chai, 'amazon_spapi', { pii_redacted: false }));
  out.push(resourceEntity('Order', 'o-1002', chai, 'amazon_spapi', { pii_redacted: true }));
  out.push(resourceEntity('Order', 'o-2001', masala, 'amazon_spapi', { pii_redacted: false }));
  out.push(resourceEntity('Conversation', 'conv-1', chai, 'whatsapp'));
  out.push(resourceEntity('Conversation', 'conv-2', masala, 'whatsapp'));
  out.push(resourceEntity('Report', 'rep-ga-weekly', kora, 'google_analytics'));
  out.push(resourceEntity('Campaign', 'camp-diwali', chai, 'google_ads'));
  out.push(resourceEntity('Listing', 'lst-assam-500g', chai, 'amazon_spapi'));
  out.push(resourceEntity('Shipment', 'shp-1001', chai, 'delhivery'));
  out.push(resourceEntity('PaymentLink', 'pl-1001', chai, 'stripe'));
  out.push(resourceEntity('File', 'file-brand-kit', chai, 'canva'));
  out.push(resourceEntity('Conversation', 'lead-list-q4', kora, 'apollo'));
  out.push(resourceEntity('Conversation', 'outreach-seq-1', kora, 'instantly'));
  out.push(resourceEntity('Report', 'rep-yt-monthly', chai, 'youtube'));
  out.push(resourceEntity('Credential', 'cred-chai-spapi', chai, 'amazon_spapi'));
  out.push(resourceEntity('Credential', 'cred-masala-whatsapp', masala, 'whatsapp'));
  return out;
}

/**
 * A larger synthetic platform for benchmarks: `agencies` agencies with clients, users and orders, until about
 * `entities` entities exist. Deterministic.
 */
export function buildSyntheticEntities(props: { entities: number }): Entity[] {
  const out: Entity[] = buildDemoEntities().filter((e) => ['Role', 'Integration'].includes(e.uid.type));
  const providers = INTEGRATIONS.filter((i) => i.status === 'live').map((i) => i.id);
  let a = 0;
  while (out.length < props.entities) {
    const agency = `agency-${a}`;
    out.push({ uid: uid('Agency', agency), attrs: {}, parents: [] });
    for (let c = 0; c < 5 && out.length < props.entities; c++) {
      const integrations = [...new Set([providers[(a + c) % providers.length], 'amazon_spapi', 'whatsapp', 'google_ads', 'delhivery'])];
      const spec: ClientSpec = { id: `${agency}-client-${c}`, agency, integrations };
      out.push(clientEntity(spec));
      out.push(userEntity({ id: `${spec.id}-user`, role: 'client_user', agency, client: spec.id }));
      out.push(userEntity({ id: `${agency}-staff-${c}`, role: c === 0 ? 'agency_admin' : 'agency_user', agency }));
      for (let o = 0; o < 20 && out.length < props.entities; o++) {
        out.push(resourceEntity('Order', `${spec.id}-order-${o}`, spec, 'amazon_spapi', { pii_redacted: o % 3 === 0 }));
      }
    }
    a++;
  }
  return out.slice(0, props.entities);
}
