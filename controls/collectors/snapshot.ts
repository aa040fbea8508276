import { readFile, stat } from 'node:fs/promises';
import type { InventoryItem, InventorySlice } from '../define-control.ts';
import { normaliseConfigurationItem, type EnvironmentMapping } from '../inventory/config-item.ts';
import { valueAt } from '../inventory/path.ts';
import { RESOURCE_TYPES } from '../inventory/resource-types.ts';
import type { InventorySource } from './inventory-source.ts';

/**
 * AWS Config snapshot files (`{"fileVersion", "configSnapshotId", "configurationItems": [...]}`, as delivered to
 * S3, or a bare array of items). Each file is read and normalised once, then indexed by resource type.
 * An item that cannot be normalised is reported as an error of the types it claims to be (or of every type when
 * it does not say), so a control reading that type is `error`, never `pass` on partial data.
 * A file that changed (size or mtime) since it was read is read again on the next `read`.
 * Items of deleted resources (`ResourceDeleted`, `ResourceDeletedNotRecorded`) are dropped, as the live path does.
 * What AWS Config does not record (resource-types.ts) is reported `unavailable` when the files do not carry it:
 * a type with no item at all, a field some item of its type lacks. A file that does carry them (an enriched
 * snapshot, like the demo's) is read like any other evidence.
 */
export function createSnapshotSource(props: { files: string[]; mapping?: EnvironmentMapping }): InventorySource & { load(): Promise<void> } {
  type Loaded = {
    byType: Map<string, InventoryItem[]>;
    errors: Array<{ source: string; message: string; type?: string }>;
    regions: Map<string, { accountId: string; region: string; lastCaptureTime?: string }>;
  };
  let loaded: Promise<Loaded> | undefined;
  let fingerprint = '';
  const currentFingerprint = async () =>
    (
      await Promise.all(
        props.files.map((f) =>
          stat(f).then(
            (s) => `${s.size}:${s.mtimeMs}`,
            () => 'missing',
          ),
        ),
      )
    ).join('|');
  async function fresh() {
    const now = await currentFingerprint();
    if (!loaded || now !== fingerprint) {
      fingerprint = now;
      loaded = loadAll();
    }
    return loaded;
  }

  async function loadAll(): Promise<Loaded> {
    const byType = new Map<string, InventoryItem[]>();
    const errors: Loaded['errors'] = [];
    const regions: Loaded['regions'] = new Map();
    for (const file of props.files) {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        errors.push({ source: `snapshot:${file}`, message: code ? `cannot read (${code})` : `not valid JSON: ${(error as Error).message}` });
        continue;
      }
      const items = Array.isArray(doc) ? doc : (doc as { configurationItems?: unknown })?.configurationItems;
      if (!Array.isArray(items)) {
        errors.push({ source: `snapshot:${file}`, message: 'no configurationItems array' });
        continue;
      }
      items.forEach((raw, index) => {
        const status = (raw as { configurationItemStatus?: unknown } | null)?.configurationItemStatus;
        if (status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded') return;
        try {
          const item = normaliseConfigurationItem(raw, props.mapping);
          // Every account × region the files speak of: its recorder must be seen, and its newest capture is its freshness.
          if (item.awsRegion !== 'global') {
            const key = `${item.accountId}|${item.awsRegion}`;
            const r = regions.get(key) ?? { accountId: item.accountId, region: item.awsRegion };
            if (Date.parse(item.configurationItemCaptureTime) > 0 && (!r.lastCaptureTime || item.configurationItemCaptureTime > r.lastCaptureTime))
              r.lastCaptureTime = item.configurationItemCaptureTime;
            regions.set(key, r);
          }
          let list = byType.get(item.resourceType);
          if (!list) byType.set(item.resourceType, (list = []));
          list.push(item);
        } catch (error) {
          const type = typeof (raw as { resourceType?: unknown })?.resourceType === 'string' ? (raw as { resourceType: string }).resourceType : undefined;
          errors.push({ source: `snapshot:${file}#${index}`, message: (error as Error).message, type });
        }
      });
    }
    return { byType, errors, regions };
  }

  const source = {
    name: 'snapshot',
    async load() {
      await fresh();
    },
    async read(types: string[]): Promise<InventorySlice> {
      const { byType, errors, regions } = await fresh();
      const items = types.flatMap((t) => byType.get(t) ?? []);
      const unavailable: NonNullable<InventorySlice['unavailable']> = [];
      for (const type of types) {
        const facts = RESOURCE_TYPES[type];
        const ofType = byType.get(type) ?? [];
        if (facts?.recorded === false && ofType.length === 0)
          unavailable.push({ type, reason: `${facts.reason ?? `AWS Config records no ${type}`}; the snapshot holds none` });
        for (const f of facts?.unrecordedFields ?? []) {
          const lacking = ofType.filter((i) => valueAt(i, f.path) === undefined || valueAt(i, f.path) === null).length;
          if (lacking) unavailable.push({ type, field: f.path, reason: `${f.reason}; ${lacking} of ${ofType.length} snapshot item(s) lack it` });
        }
      }
      return {
        items,
        errors: errors.filter((e) => e.type === undefined || types.includes(e.type)).map(({ source, message }) => ({ source, message })),
        unavailable,
        regions: [...regions.values()],
      };
    },
  };
  return source;
}
