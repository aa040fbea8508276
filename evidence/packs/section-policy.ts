import type { Db } from '../../engine/db/database.ts';
import type { PackFile, PackSection } from './pack-model.ts';
import { person } from './pack-people.ts';
import { utc } from './pack-time.ts';

/**
 * The platform's Cedar policy set as it stood at the period's end (the newest version stored by then that was not
 * rejected: a version is served from when it is accepted until the next one), as `policies/active.cedar`, and its
 * history: that version and every version proposed in the period, with who, when, the status and the set's hash.
 */
export async function policySection(db: Db, props: { from: Date; to: Date }): Promise<{ section: PackSection; files: PackFile[] }> {
  const inForce = await db
    .selectFrom('policy_sets')
    .select(['version', 'hash', 'policies', 'created_at', 'created_by'])
    .where('name', '=', 'platform')
    .where('status', '<>', 'rejected')
    .where('created_at', '<=', props.to)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const atStart = await db
    .selectFrom('policy_sets')
    .select('version')
    .where('name', '=', 'platform')
    .where('status', '<>', 'rejected')
    .where('created_at', '<=', props.from)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const history = await db
    .selectFrom('policy_sets')
    .select(['version', 'hash', 'status', 'created_at', 'created_by', 'comment'])
    .where('name', '=', 'platform')
    .where((eb) => eb.or([eb('created_at', '>=', props.from), ...(atStart ? [eb('version', '=', atStart.version)] : [])]))
    .where('created_at', '<=', props.to)
    .orderBy('version', 'asc')
    .execute();
  // Template links (made through the API, each one policy from a template): those in force at the period end, and
  // how many were added and removed in the period.
  const links = await db
    .selectFrom('policy_links')
    .select(['link_id', 'template_id', 'principal', 'resource', 'created_at', 'created_by', 'removed_at'])
    .where('policy_set', '=', 'platform')
    .where('created_at', '<=', props.to)
    .where((eb) => eb.or([eb('removed_at', 'is', null), eb('removed_at', '>=', props.from)]))
    .orderBy('created_at')
    .orderBy('link_id')
    .execute();
  const live = links.filter((l) => !l.removed_at || new Date(l.removed_at) > props.to);
  const added = links.filter((l) => new Date(l.created_at) >= props.from).length;
  const removed = links.filter((l) => l.removed_at && new Date(l.removed_at) <= props.to).length;
  const files: PackFile[] = inForce
    ? [{ path: 'policies/active.cedar', text: inForce.policies.endsWith('\n') ? inForce.policies : `${inForce.policies}\n` }]
    : [];
  if (live.length)
    files.push({
      path: 'policies/links.json',
      text:
        JSON.stringify(
          live.map((l) => ({
            linkId: l.link_id,
            templateId: l.template_id,
            principal: l.principal,
            resource: l.resource,
            createdAt: new Date(l.created_at).toISOString(),
            createdBy: person(l.created_by),
          })),
          null,
          2,
        ) + '\n',
    });
  const section: PackSection = {
    id: 'policy',
    title: 'Authorization policy (Cedar)',
    intro: inForce
      ? `The platform's Cedar policy set in force at the period end is version ${inForce.version} (hash ${inForce.hash}), accepted ${utc(inForce.created_at)} from ${person(inForce.created_by)}; ` +
        `its text is in policies/active.cedar. Below: the version in force when the period began and every version proposed in the period ` +
        `(a rejected version was never served).`
      : 'No platform policy set was stored by the period end.',
    paragraphs: links.length
      ? [
          `Template links: ${live.length} in force at the period end${live.length ? ' (policies/links.json: template, principal, resource, who made it and when)' : ''}; ${added} added and ${removed} removed in the period.`,
        ]
      : undefined,
    table: history.length
      ? {
          columns: ['version', 'proposed at', 'by', 'status now', 'hash', 'comment'],
          rows: history.map((v) => [String(v.version), utc(v.created_at), person(v.created_by), v.status, v.hash, v.comment ?? '']),
        }
      : undefined,
  };
  return { section, files };
}
