import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../engine/db/database.ts';
import { NotFoundError } from '../../engine/kernel/errors.ts';
import type { Logger } from '../../engine/kernel/logger.ts';
import { buildPack, type PackDeps, type PackManifest, type PackProfile, type PackProgress } from './build-pack.ts';
import { PackRefusedError } from './pack-writer.ts';

/**
 * Packs built through the API: files under `<dataDir>/packs/`, a row per pack (who, when, which period, the
 * manifest, or why it was refused). A refused pack leaves no file behind.
 */
export class PackService {
  /** Builds running on this replica: where each is (set by the builder as it goes). */
  private readonly progress = new Map<string, PackProgress>();

  constructor(private readonly props: { db: Db; dir: string; deps: () => Promise<PackDeps>; logger?: Pick<Logger, 'error'> }) {}

  private file(id: string): string {
    return path.join(this.props.dir, `${id}.zip`);
  }

  /** Builds a pack and answers once it is ready; throws (PackRefusedError, ...) when it is refused or fails. */
  async build(props: { profile: PackProfile; from: Date; to: Date; createdBy: string; internal?: boolean }) {
    const { id, done } = await this.start(props);
    await done;
    return this.get(id);
  }

  /**
   * Records the pack as building and starts it; `done` settles when the build is over (its outcome is on the pack
   * row either way). A caller that does not wait drops `done`: it never rejects unhandled, see `startInBackground`.
   */
  async start(props: { profile: PackProfile; from: Date; to: Date; createdBy: string; internal?: boolean }): Promise<{ id: string; done: Promise<void> }> {
    const { db } = this.props;
    const id = randomUUID();
    await mkdir(this.props.dir, { recursive: true });
    await db
      .insertInto('packs')
      .values({ id, profile: props.profile, period_from: props.from, period_to: props.to, created_by: props.createdBy, status: 'building' })
      .execute();
    this.progress.set(id, { phase: 'controls', done: 0, total: null });
    const done = this.run(id, props).finally(() => this.progress.delete(id));
    // Whoever holds `done` sees its rejection; this branch only keeps an unobserved one from being unhandled.
    done.catch(() => {});
    return { id, done };
  }

  /** Starts a build and returns at once; failures are on the pack row (and logged when recording them failed). */
  async startInBackground(props: { profile: PackProfile; from: Date; to: Date; createdBy: string; internal?: boolean }): Promise<{ id: string }> {
    const { id, done } = await this.start(props);
    done.catch((error: unknown) => {
      if (error instanceof PackRecordError) this.props.logger?.error({ pack: id, err: { message: error.message } }, 'pack build outcome could not be recorded');
    });
    return { id };
  }

  private async run(id: string, props: { profile: PackProfile; from: Date; to: Date; internal?: boolean }): Promise<void> {
    const { db } = this.props;
    const partial = `${this.file(id)}.partial`;
    let out: ReturnType<typeof createWriteStream> | undefined;
    try {
      out = createWriteStream(partial, { mode: 0o640 });
      const manifest: PackManifest = await buildPack(await this.props.deps(), {
        profile: props.profile,
        from: props.from,
        to: props.to,
        internal: props.internal ?? false,
        out,
        onProgress: (p) => this.progress.set(id, p),
      });
      this.progress.set(id, { phase: 'finishing', done: 0, total: null });
      await rename(partial, this.file(id));
      const size = (await stat(this.file(id))).size;
      const sha256 = await new Promise<string>((resolve, reject) => {
        const h = createHash('sha256');
        createReadStream(this.file(id))
          .on('data', (d) => h.update(d))
          .on('end', () => resolve(h.digest('hex')))
          .on('error', reject);
      });
      await db
        .updateTable('packs')
        .set({ status: 'ready', size, sha256, manifest: JSON.stringify(manifest) })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      out?.destroy();
      await rm(partial, { force: true }).catch(() => {});
      const refused = error instanceof PackRefusedError;
      try {
        await db
          .updateTable('packs')
          .set({ status: refused ? 'refused' : 'failed', error: (error as Error).message })
          .where('id', '=', id)
          .execute();
      } catch (recordError) {
        throw new PackRecordError(
          `pack ${id} ${refused ? 'was refused' : 'failed'} (${(error as Error).message}) and that could not be recorded: ${(recordError as Error).message}`,
        );
      }
      throw error;
    }
  }

  /** Where a build running on this replica is; null when it is not building here. */
  progressOf(id: string): PackProgress | null {
    const p = this.progress.get(id);
    return p ? { ...p } : null;
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
    const size = (
      await stat(this.file(id)).catch(() => {
        throw new NotFoundError(`pack ${id} is not on this server`);
      })
    ).size;
    return {
      stream: createReadStream(this.file(id)),
      size,
      name: `tenet-${pack.profile}${pack.internal ? '-internal' : ''}-${pack.periodTo.slice(0, 10)}-${id.slice(0, 8)}.zip`,
    };
  }
}

/** The stored manifest (jsonb: an object, or its text on some drivers). */
function manifestOf(m: unknown): Partial<PackManifest> | undefined {
  if (typeof m === 'string') {
    try {
      return JSON.parse(m) as Partial<PackManifest>;
    } catch {
      return undefined;
    }
  }
  return m && typeof m === 'object' ? (m as Partial<PackManifest>) : undefined;
}

/** The build ended, and its outcome could not be written to the pack row. */
class PackRecordError extends Error {}

function toPack(r: {
  id: string;
  profile: string;
  period_from: Date;
  period_to: Date;
  created_at: Date;
  created_by: string;
  status: string;
  error: string | null;
  size: string | null;
  sha256: string | null;
  manifest: unknown;
}) {
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
    internal: manifestOf(r.manifest)?.internal === true,
  };
}
