import { createHash } from 'node:crypto';
import { templateToJson } from './cedar-runtime.ts';
import type { PolicySetSource, TemplateLink } from './policy-set.ts';

/** Template links: per-tenant grants made from a policy set's templates, stored beside the set (PolicyStore). */

type PolicySetName = PolicySetSource['name'];

/** A template link as stored: a per-tenant grant, live until removed. */
export interface PolicyLink {
  name: PolicySetName;
  /** The linked policy's id: decisions name it in `reasons`. */
  id: string;
  templateId: string;
  values: { principal?: { type: string; id: string }; resource?: { type: string; id: string } };
  createdAt: Date;
  createdBy: string;
}

/** What a caller asks to link: the template, the slot values, and optionally the link's id. */
export interface LinkRequest {
  templateId: string;
  newId?: string;
  values: { principal?: { type: string; id: string }; resource?: { type: string; id: string } };
}

export const LINK_ID = /^[A-Za-z0-9._:@~-]{1,200}$/;

/** A generated link id: `template:principal:resource`, each part kept to safe characters (a hash when any was not). */
export function generatedLinkId(link: Pick<LinkRequest, 'templateId' | 'values'>): string {
  const raw = [link.templateId, link.values.principal?.id, link.values.resource?.id].filter((v): v is string => v !== undefined);
  const safe = raw.map((v) => v.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 60));
  const id = safe.join(':');
  if (safe.every((v, i) => v === raw[i])) return id;
  const exact = JSON.stringify([link.templateId, link.values.principal ?? null, link.values.resource ?? null]);
  return `${id}~${createHash('sha256').update(exact).digest('hex').slice(0, 10)}`;
}

/** The slots a template has (`?principal`, `?resource`), from its scope as Cedar parses it. */
export function templateSlots(text: string): Set<'?principal' | '?resource'> {
  const answer = templateToJson(text);
  const slots = new Set<'?principal' | '?resource'>();
  if (answer.type !== 'success') return slots;
  const json = answer.json as unknown as Record<string, { slot?: string; in?: { slot?: string } } | undefined>;
  for (const [scope, slot] of [
    ['principal', '?principal'],
    ['resource', '?resource'],
  ] as const) {
    const s = json[scope];
    if (s?.slot === slot || s?.in?.slot === slot) slots.add(slot);
  }
  return slots;
}

export type LinkRow = {
  link_id: string;
  template_id: string;
  principal: { type: string; id: string } | null;
  resource: { type: string; id: string } | null;
  created_at: Date;
  created_by: string;
};

export function toTemplateLink(r: Pick<LinkRow, 'link_id' | 'template_id' | 'principal' | 'resource'>): TemplateLink {
  const values: TemplateLink['values'] = {};
  if (r.principal) values['?principal'] = { type: r.principal.type, id: r.principal.id };
  if (r.resource) values['?resource'] = { type: r.resource.type, id: r.resource.id };
  return { templateId: r.template_id, newId: r.link_id, values };
}

export function toPolicyLink(name: PolicySetName, r: LinkRow): PolicyLink {
  const values: PolicyLink['values'] = {};
  if (r.principal) values.principal = { type: r.principal.type, id: r.principal.id };
  if (r.resource) values.resource = { type: r.resource.type, id: r.resource.id };
  return { name, id: r.link_id, templateId: r.template_id, values, createdAt: r.created_at, createdBy: r.created_by };
}

export class LinksChangedError extends Error {}
