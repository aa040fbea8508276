import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../engine/db/database.ts';
import { NotFoundError } from '../../engine/errors.ts';
import { buildPack, type PackDeps, type PackManifest, type PackProfile } from './build-pack.ts';
import { PackRefusedError } from './pack-writer.ts';

/**
 * Packs built through the API: files under `<dataDir>/packs/`, a row per pack (who, when, which period, the
 * manifest, or why it was refused). A refused pack leaves no file behind.
 */
export class PackService {
  constructor(private readonly props: { db: Db; dir: string; deps: () => Promise<PackDeps> }) {}

  private file(id: string): string {
    return path.join(this.props.dir, `${id}.zip`);
  }

  async build(props: { profile: PackProfile; from: Date; to: Date; createdBy: string }) {
    const { db } = this.props;
    const id = randomUUID();
    await mkdir(this.props.dir, { recursive: true });
    await db.insertInto('packs').values({ id, profile: props.profile, period_from: props.from, period_to: props.to, created_by: props.createdBy, status: 'building' }).execute();
    const partial = `${this.file(id)}.partial`;
    try {
      const out = createWriteStream(partial, { mode: 0o640 });
      const manifest: PackManifest = await buildPack(await this.props.deps(), { profile: props.profile, from: props.from, to: props.to, out });
      await rename(partial, this.file(id));
      const size = (await stat(this.file(id))).size;
      const sha256 = await new Promise<string>((resolve, reject) => {
        const h = createHash('sha256');
        createReadStream(this.file(id)).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
      });
      await db.updateTable('packs').set({ status: 'ready', size, sha256, manifest: JSON.stringify(manifest) }).where('id', '=', id).execute();
    } catch (error) {
      await rm(partial, { force: true });
      const refused = error instanceof PackRefusedError;
      await db.updateTable('packs').set({ status: refused ? 'refused' : 'failed', error: (error as Error).message }).where('id', '=', id).execute();
      throw error;
    }
    return this.get(id);
  }

  async list(limit = 100) {
    const rows = await this.props.db.selectFrom('packs').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map(toPack);
  }

  async get(id: string) {
    const row = await this.props.db.selectFrom('packs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no pack ${id}`);
    return toPack(row);
  }

  /** The ZIP of a ready pack, for download. */
  async open(id: string): Promise<{ stream: NodeJS.ReadableStream; size: number; name: string }> {
    const pack = await this.get(id);
    if (pack.status !== 'ready') throw new NotFoundError(`pack ${id} is ${pack.status}, there is nothing to download`);
    const size = (await stat(this.file(id)).catch(() => {
      throw new NotFoundError(`pack ${id} is not on this server`);
    })).size;
    return { stream: createReadStream(this.file(id)), size, name: `tenet-${pack.profile}-${pack.periodTo.slice(0, 10)}-${id.slice(0, 8)}.zip` };
  }
}

function toPack(r: { id: string; profile: string; period_from: Date; period_to: Date; created_at: Date; created_by: string; status: string; error: string | null; size: string | null; sha256: string | null }) {
  return {
    id: r.id,
    profile: r.profile,
    periodFrom: new Date(r.period_from).toISOString(),
    periodTo: new Date(r.period_to).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    status: r.status,
    error: r.error,
    size: r.size === null ? null : Number(r.size),
    sha256: r.sha256,
  };
}
