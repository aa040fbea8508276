/**
 * gdrive: schema and policies in gdrive.cedarschema / gdrive.cedar; a seeded store generator and request mix.
 *
 * Store of about N entities: 12% users, 3% groups (nested up to 4 deep), 5% folders in trees 3–6 deep (one
 * owner per tree), documents in those folders, and two ACL entities (view, edit) per folder and document. A
 * folder's ACLs are members of its children's ACLs; 40% of folders and 30% of documents are shared for viewing,
 * 25% / 15% for editing, with users or groups. Requests: a random user on something related to them (owned, in
 * a tree they own, shared with them or a group of theirs, or below such a folder) 60% of the time, on any
 * document or folder otherwise; a random action valid for the resource type.
 */
import type { Entity, EntityUid } from '../../../engine/authz/entity.ts';
import type { CedarRequest } from '../../../engine/authz/evaluator/index.ts';
import { action, appFile, ref, Rand, uid, type BenchApp } from './common.ts';

const DOMAINS = ['acme.com', 'example.org', 'corp.net'];
const LABELS = ['confidential', 'no-reshare', 'draft', 'finance', 'hr'];

function entities(size: number, seed: number): Entity[] {
  const r = new Rand(seed);
  const nUsers = Math.max(8, Math.round(size * 0.12));
  const nGroups = Math.max(3, Math.round(size * 0.03));
  const nFolders = Math.max(6, Math.round(size * 0.05));
  const nDocs = Math.max(6, Math.round((size - nUsers - nGroups - 3 * nFolders) / 3));
  const out: Entity[] = [];

  const groups: Entity[] = [];
  const groupDepth: number[] = [];
  for (let i = 0; i < nGroups; i++) {
    // Nest under an earlier group half the time, at most 4 deep.
    const candidates = groups.filter((_, k) => groupDepth[k] < 4);
    const parent = i > 0 && r.chance(0.5) && candidates.length ? r.pick(candidates) : undefined;
    groupDepth.push(parent ? groupDepth[groups.indexOf(parent)] + 1 : 1);
    groups.push({ uid: uid('Group', `g${i}`), attrs: { name: `group ${i}` }, parents: parent ? [parent.uid] : [] });
  }
  const users: Entity[] = [];
  for (let i = 0; i < nUsers; i++) {
    const attrs: Record<string, unknown> = { email: `user${i}@${DOMAINS[i % 3]}`, domain: DOMAINS[i % 3], isAdmin: r.chance(0.02) };
    if (r.chance(0.5)) attrs.suspended = r.chance(0.06);
    users.push({ uid: uid('User', `u${i}`), attrs, parents: r.some(groups, r.int(0, 3)).map((g) => g.uid) });
  }

  // Folder trees: a chain 3–6 deep from the root, then branches off folders above depth 6.
  type Item = Entity & { depth: number; tree: number; folder: boolean };
  const folders: Item[] = [];
  const trees: Array<{ owner: Entity; folders: Item[] }> = [];
  while (folders.length < nFolders) {
    const tree = { owner: r.pick(users), folders: [] as Item[] };
    const t = trees.push(tree) - 1;
    const inTree = Math.min(nFolders - folders.length, r.int(4, 8));
    const chain = r.int(3, 6);
    for (let k = 0; k < inTree; k++) {
      const parent = k === 0 ? undefined : k < chain ? tree.folders[k - 1] : r.pick(tree.folders.filter((f) => f.depth < 6));
      const f: Item = {
        uid: uid('Folder', `f${folders.length}`),
        attrs: {},
        parents: parent ? [parent.uid] : [],
        depth: parent ? parent.depth + 1 : 1,
        tree: t,
        folder: true,
      };
      f.attrs = { name: `folder ${folders.length}`, owner: ref(r.chance(0.9) ? tree.owner.uid : r.pick(users).uid) };
      tree.folders.push(f);
      folders.push(f);
    }
  }
  const docs: Item[] = [];
  for (let i = 0; i < nDocs; i++) {
    const folder = r.pick(folders);
    const owner = r.chance(0.8) ? trees[folder.tree].owner : r.pick(users);
    const attrs: Record<string, unknown> = { name: `doc ${i}`, owner: ref(owner.uid), isPublic: r.chance(0.04), labels: r.some(LABELS, r.int(0, 2)) };
    if (r.chance(0.5)) attrs.domainShared = r.chance(0.3);
    if (r.chance(0.1)) attrs.locked = r.chance(0.5);
    docs.push({ uid: uid('Document', `d${i}`), attrs, parents: [folder.uid], depth: folder.depth + 1, tree: folder.tree, folder: false });
  }

  // ACLs: per item a view and an edit ACL; the edit ACL is in the view ACL; a folder's ACLs are in its children's.
  const acls = new Map<string, Entity>();
  for (const item of [...folders, ...docs]) {
    const view = uid('ACL', `${item.uid.id}-view`);
    const edit = uid('ACL', `${item.uid.id}-edit`);
    acls.set(view.id, { uid: view, attrs: {}, parents: [] });
    acls.set(edit.id, { uid: edit, attrs: {}, parents: [view] });
    item.attrs.viewACL = ref(view);
    item.attrs.editACL = ref(edit);
  }
  for (const item of [...folders, ...docs]) {
    const parent = item.parents[0];
    if (!parent) continue;
    acls.get(`${parent.id}-view`)!.parents.push(uid('ACL', `${item.uid.id}-view`));
    acls.get(`${parent.id}-edit`)!.parents.push(uid('ACL', `${item.uid.id}-edit`));
  }
  // Shares: a user or group joins an item's view or edit ACL.
  const share = (item: Item, kind: 'view' | 'edit', n: number) => {
    for (let k = 0; k < n; k++) {
      const who = r.chance(0.5) ? r.pick(users) : r.pick(groups);
      const acl = uid('ACL', `${item.uid.id}-${kind}`);
      if (!who.parents.some((p) => p.type === 'ACL' && p.id === acl.id)) who.parents.push(acl);
    }
  };
  for (const f of folders) {
    if (r.chance(0.4)) share(f, 'view', r.int(1, 3));
    if (r.chance(0.25)) share(f, 'edit', r.int(1, 2));
  }
  for (const d of docs) {
    if (r.chance(0.3)) share(d, 'view', r.int(1, 3));
    if (r.chance(0.15)) share(d, 'edit', r.int(1, 2));
  }
  const strip = ({ uid: u, attrs, parents }: Entity): Entity => ({ uid: u, attrs, parents });
  out.push(...groups, ...users, ...folders.map(strip), ...docs.map(strip), ...acls.values());
  return out;
}

function requests(all: Entity[], count: number, seed: number): CedarRequest[] {
  const r = new Rand(seed);
  const users = all.filter((e) => e.uid.type === 'User');
  const items = all.filter((e) => e.uid.type === 'Folder' || e.uid.type === 'Document');
  const byAcl = new Map<string, Entity>();
  for (const it of items) {
    byAcl.set(`${it.uid.id}-view`, it);
    byAcl.set(`${it.uid.id}-edit`, it);
  }
  const children = new Map<string, Entity[]>();
  for (const it of items) for (const p of it.parents) children.set(p.id, [...(children.get(p.id) ?? []), it]);
  const byId = new Map(all.map((e) => [`${e.uid.type}/${e.uid.id}`, e]));
  // What each user is related to: shared with them or one of their groups (transitively), or owned.
  const related = new Map<string, Entity[]>();
  const add = (u: string, e: Entity) => related.set(u, [...(related.get(u) ?? []), e]);
  for (const u of users) {
    const stack = [...u.parents];
    const seen = new Set<string>();
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(`${p.type}/${p.id}`)) continue;
      seen.add(`${p.type}/${p.id}`);
      if (p.type === 'ACL') {
        const item = byAcl.get(p.id);
        if (item) add(u.uid.id, item);
      } else stack.push(...(byId.get(`${p.type}/${p.id}`)?.parents ?? []));
    }
  }
  for (const it of items) add((it.attrs.owner as { __entity: EntityUid }).__entity.id, it);
  const below = (e: Entity): Entity => {
    let cur = e;
    for (let k = r.int(0, 3); k > 0; k--) {
      const c = children.get(cur.uid.id);
      if (!c) break;
      cur = r.pick(c);
    }
    return cur;
  };
  const docActions = ['view', 'view', 'download', 'comment', 'edit', 'rename', 'share', 'delete', 'transferOwnership'];
  const folderActions = ['view', 'rename', 'createDocument', 'share', 'delete'];
  const out: CedarRequest[] = [];
  for (let i = 0; i < count; i++) {
    const user = r.pick(users);
    const mine = related.get(user.uid.id);
    const resource = mine && r.chance(0.6) ? below(r.pick(mine)) : r.pick(items);
    const a = r.pick(resource.uid.type === 'Document' ? docActions : folderActions);
    out.push({ principal: user.uid, action: action(a), resource: resource.uid, context: {} });
  }
  return out;
}

export const gdrive: BenchApp = {
  name: 'gdrive',
  schema: appFile('gdrive.cedarschema'),
  policies: appFile('gdrive.cedar'),
  entities,
  requests,
};
