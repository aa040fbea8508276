/**
 * tinytodo: schema and policies in tinytodo.cedarschema / tinytodo.cedar; a seeded store generator and request mix.
 *
 * Store of about N entities: the application, 30% users, 10% teams (nested up to 4 deep; one is "interns"),
 * and lists, each with its own readers and editors team (so about a fifth of the store is lists and two
 * fifths their teams). 40% of lists are shared for reading and 30% for editing, with users or teams. Requests:
 * 10% CreateList / GetLists on the application; otherwise a random user on a list related to them (owned, or
 * shared with them or a team of theirs) 60% of the time, on any list otherwise, with a random list action.
 */
import type { Entity, EntityUid } from '../../../engine/authz/entity.ts';
import type { CedarRequest } from '../../../engine/authz/evaluator/index.ts';
import { action, appFile, ref, Rand, uid, type BenchApp } from './common.ts';

const APP = uid('Application', 'TinyTodo');
const LOCATIONS = ['ABC17', 'XYZ29', 'DEF33'];
const STATES = ['checked', 'unchecked'];

function entities(size: number, seed: number): Entity[] {
  const r = new Rand(seed);
  const nUsers = Math.max(10, Math.round(size * 0.3));
  const nTeams = Math.max(4, Math.round(size * 0.1));
  const nLists = Math.max(4, Math.round((size - 1 - nUsers - nTeams) / 3));
  const teams: Array<Entity & { depth: number }> = [{ uid: uid('Team', 'interns'), attrs: {}, parents: [APP], depth: 1 }];
  for (let i = 1; i < nTeams; i++) {
    const nest = teams.filter((t) => t.depth < 4);
    const parent = r.chance(0.5) ? r.pick(nest) : undefined;
    teams.push({ uid: uid('Team', `t${i}`), attrs: {}, parents: parent ? [parent.uid, APP] : [APP], depth: parent ? parent.depth + 1 : 1 });
  }
  const users: Entity[] = [];
  for (let i = 0; i < nUsers; i++) {
    const parents: EntityUid[] = [APP, ...r.some(teams.slice(1), r.int(0, 3)).map((t) => t.uid)];
    if (r.chance(0.08)) parents.push(teams[0].uid);
    users.push({ uid: uid('User', `u${i}`), attrs: { name: `user ${i}`, joblevel: r.int(1, 7), location: r.pick(LOCATIONS) }, parents });
  }
  const lists: Entity[] = [];
  const listTeams: Entity[] = [];
  for (let i = 0; i < nLists; i++) {
    const readers: Entity = { uid: uid('Team', `l${i}-readers`), attrs: {}, parents: [APP] };
    const editors: Entity = { uid: uid('Team', `l${i}-editors`), attrs: {}, parents: [APP] };
    listTeams.push(readers, editors);
    const share = (t: Entity) => {
      for (let k = r.int(1, 3); k > 0; k--) {
        const who = r.chance(0.5) ? r.pick(users) : r.pick(teams);
        if (!who.parents.some((p) => p.id === t.uid.id)) who.parents.push(t.uid);
      }
    };
    if (r.chance(0.4)) share(readers);
    if (r.chance(0.3)) share(editors);
    const tasks = Array.from({ length: r.int(0, 4) }, (_, k) => ({ id: k, name: `task ${k}`, state: r.pick(STATES) }));
    const attrs: Record<string, unknown> = { name: `list ${i}`, owner: ref(r.pick(users).uid), readers: ref(readers.uid), editors: ref(editors.uid), tasks };
    if (r.chance(0.3)) attrs.archived = r.chance(0.3);
    lists.push({ uid: uid('List', `l${i}`), attrs, parents: [APP] });
  }
  const strip = ({ uid: u, attrs, parents }: Entity): Entity => ({ uid: u, attrs, parents });
  return [{ uid: APP, attrs: {}, parents: [] }, ...teams.map(strip), ...users, ...listTeams, ...lists];
}

function requests(all: Entity[], count: number, seed: number): CedarRequest[] {
  const r = new Rand(seed);
  const users = all.filter((e) => e.uid.type === 'User');
  const lists = all.filter((e) => e.uid.type === 'List');
  const byId = new Map(all.map((e) => [`${e.uid.type}/${e.uid.id}`, e]));
  const listOfTeam = new Map<string, Entity>();
  for (const l of lists) {
    listOfTeam.set((l.attrs.readers as { __entity: EntityUid }).__entity.id, l);
    listOfTeam.set((l.attrs.editors as { __entity: EntityUid }).__entity.id, l);
  }
  const related = new Map<string, Entity[]>();
  const add = (u: string, e: Entity) => related.set(u, [...(related.get(u) ?? []), e]);
  for (const u of users) {
    const stack = [...u.parents];
    const seen = new Set<string>();
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      const list = listOfTeam.get(p.id);
      if (list) add(u.uid.id, list);
      stack.push(...(byId.get(`${p.type}/${p.id}`)?.parents ?? []));
    }
  }
  for (const l of lists) add((l.attrs.owner as { __entity: EntityUid }).__entity.id, l);
  const listActions = ['GetList', 'GetList', 'UpdateList', 'CreateTask', 'UpdateTask', 'DeleteTask', 'DeleteList', 'EditShare'];
  const out: CedarRequest[] = [];
  for (let i = 0; i < count; i++) {
    const user = r.pick(users);
    if (r.chance(0.1)) {
      out.push({ principal: user.uid, action: action(r.pick(['CreateList', 'GetLists'])), resource: APP, context: {} });
      continue;
    }
    const mine = related.get(user.uid.id);
    const list = mine && r.chance(0.6) ? r.pick(mine) : r.pick(lists);
    out.push({ principal: user.uid, action: action(r.pick(listActions)), resource: list.uid, context: {} });
  }
  return out;
}

export const tinytodo: BenchApp = {
  name: 'tinytodo',
  schema: appFile('tinytodo.cedarschema'),
  policies: appFile('tinytodo.cedar'),
  entities,
  requests,
};
