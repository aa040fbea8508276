/**
 * github: schema and policies in github.cedarschema / github.cedar; a seeded store generator and request mix.
 *
 * Store of about N entities: organisations (1 per 100 entities, each with a members and an owners group), 20%
 * users, 4% teams (nested inside their organisation up to 4 deep, every team in its organisation's members
 * group), 6% repositories with five role groups each, and issues for the rest. Each repository's role groups
 * get 0–2 teams and 0–3 users, mostly of its organisation. Requests: a random user on a repository or issue of
 * their own organisation 60% of the time, on any other one otherwise; a random action valid for the resource.
 */
import type { Entity, EntityUid } from '../../../engine/authz/entity.ts';
import type { CedarRequest } from '../../../engine/authz/evaluator/index.ts';
import { action, appFile, ref, Rand, uid, type BenchApp } from './common.ts';

const ROLES = ['readers', 'triagers', 'writers', 'maintainers', 'admins'] as const;

function entities(size: number, seed: number): Entity[] {
  const r = new Rand(seed);
  const nOrgs = Math.max(2, Math.round(size / 100));
  const nUsers = Math.max(10, Math.round(size * 0.2));
  const nTeams = Math.max(4, Math.round(size * 0.04));
  const nRepos = Math.max(4, Math.round(size * 0.06));
  const nIssues = Math.max(4, size - 3 * nOrgs - nUsers - nTeams - 6 * nRepos);
  const groups: Entity[] = [];
  const group = (id: string): EntityUid => {
    const u = uid('UserGroup', id);
    groups.push({ uid: u, attrs: {}, parents: [] });
    return u;
  };
  const orgs: Entity[] = [];
  for (let i = 0; i < nOrgs; i++) {
    orgs.push({
      uid: uid('Org', `o${i}`),
      attrs: { name: `org ${i}`, members: ref(group(`o${i}-members`)), owners: ref(group(`o${i}-owners`)), basePermission: r.chance(0.4) ? 'read' : 'none' },
      parents: [],
    });
  }
  const orgOf = (i: number) => i % nOrgs;
  const teams: Array<Entity & { org: number; depth: number }> = [];
  for (let i = 0; i < nTeams; i++) {
    const org = orgOf(i);
    const nest = teams.filter((t) => t.org === org && t.depth < 4);
    const parent = nest.length && r.chance(0.5) ? r.pick(nest) : undefined;
    teams.push({
      uid: uid('Team', `t${i}`),
      attrs: { name: `team ${i}` },
      parents: [parent ? parent.uid : uid('UserGroup', `o${org}-members`)],
      org,
      depth: parent ? parent.depth + 1 : 1,
    });
  }
  const users: Array<Entity & { org: number }> = [];
  for (let i = 0; i < nUsers; i++) {
    const org = orgOf(i);
    const own = teams.filter((t) => t.org === org);
    const parents = [uid('UserGroup', `o${org}-members`), ...r.some(own, r.int(0, 3)).map((t) => t.uid)];
    if (r.chance(0.03)) parents.push(uid('UserGroup', `o${org}-owners`));
    const attrs: Record<string, unknown> = { login: `user${i}`, isSiteAdmin: false };
    if (r.chance(0.3)) attrs.suspended = r.chance(0.07);
    users.push({ uid: uid('User', `u${i}`), attrs, parents, org });
  }
  const repos: Array<Entity & { org: number }> = [];
  for (let i = 0; i < nRepos; i++) {
    const org = r.int(0, nOrgs - 1);
    const attrs: Record<string, unknown> = { name: `repo ${i}`, owner: ref(uid('Org', `o${org}`)), isPrivate: r.chance(0.7) };
    if (r.chance(0.3)) attrs.archived = r.chance(0.3);
    for (const role of ROLES) {
      const g = group(`r${i}-${role}`);
      attrs[role] = ref(g);
      const ownTeams = teams.filter((t) => t.org === org);
      const ownUsers = users.filter((u) => u.org === org);
      for (const t of r.some(ownTeams, r.int(0, 2))) t.parents.push(g);
      for (let k = r.int(0, 3); k > 0; k--) {
        const u = r.chance(0.85) ? r.pick(ownUsers) : r.pick(users);
        if (!u.parents.some((p) => p.id === g.id)) u.parents.push(g);
      }
    }
    repos.push({ uid: uid('Repository', `r${i}`), attrs, parents: [], org });
  }
  const issues: Array<Entity & { org: number }> = [];
  for (let i = 0; i < nIssues; i++) {
    const repo = r.pick(repos);
    const attrs: Record<string, unknown> = { title: `issue ${i}`, repo: ref(repo.uid), reporter: ref(r.pick(users).uid) };
    if (r.chance(0.2)) attrs.locked = r.chance(0.5);
    issues.push({ uid: uid('Issue', `i${i}`), attrs, parents: [], org: repo.org });
  }
  const strip = ({ uid: u, attrs, parents }: Entity): Entity => ({ uid: u, attrs, parents });
  return [...orgs, ...groups, ...teams.map(strip), ...users.map(strip), ...repos.map(strip), ...issues.map(strip)];
}

function requests(all: Entity[], count: number, seed: number): CedarRequest[] {
  const r = new Rand(seed);
  const users = all.filter((e) => e.uid.type === 'User');
  const targets = all.filter((e) => e.uid.type === 'Repository' || e.uid.type === 'Issue');
  const orgOfRepo = new Map(all.filter((e) => e.uid.type === 'Repository').map((e) => [e.uid.id, (e.attrs.owner as { __entity: EntityUid }).__entity.id]));
  const orgOf = (e: Entity) => (e.uid.type === 'Repository' ? orgOfRepo.get(e.uid.id)! : orgOfRepo.get((e.attrs.repo as { __entity: EntityUid }).__entity.id)!);
  const byOrg = new Map<string, Entity[]>();
  for (const t of targets) byOrg.set(orgOf(t), [...(byOrg.get(orgOf(t)) ?? []), t]);
  const repoActions = ['pull', 'pull', 'fork', 'push', 'create_branch', 'edit_settings', 'manage_webhooks', 'add_collaborator', 'delete_repository'];
  const issueActions = ['read_issue', 'read_issue', 'comment_issue', 'assign_issue', 'close_issue', 'edit_issue', 'delete_issue'];
  const out: CedarRequest[] = [];
  for (let i = 0; i < count; i++) {
    const user = r.pick(users);
    const org = user.parents.find((p) => p.id.endsWith('-members'))!.id.replace('-members', '');
    const own = byOrg.get(org);
    const resource = own && r.chance(0.6) ? r.pick(own) : r.pick(targets);
    const a = r.pick(resource.uid.type === 'Repository' ? repoActions : issueActions);
    out.push({ principal: user.uid, action: action(a), resource: resource.uid, context: {} });
  }
  return out;
}

export const github: BenchApp = {
  name: 'github',
  schema: appFile('github.cedarschema'),
  policies: appFile('github.cedar'),
  entities,
  requests,
};
