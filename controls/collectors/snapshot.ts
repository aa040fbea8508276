import { readFile, stat } from 'node:fs/promises';
import type { InventoryItem, InventorySlice } from '../define-control.ts';
import { normaliseConfigurationItem, type EnvironmentMapping } from '../inventory/config-item.ts';
import type { InventorySource } from './inventory-source.ts';

/**
 * AWS Config snapshot files (`{"fileVersion", "configSnapshotId", "configurationItems": [...]}`, as delivered to
 * S3, or a bare array of items). Each file is read and normalised once, then indexed by resource type.
 * An item that cannot be normalised is reported as an error of the types it claims to be (or of every type when
 * it does not say), so a control reading that type is `error`, never `pass` on partial data.
 * A file that changed (size or mtime) since it was read is read again on the next `read`.
 */
export function createSnapshotSource(props: { files: string[]; mapping?: EnvironmentMapping }): InventorySource & { load(): Promise<void> } {
  let loaded: Promise<{ byType: Map<string, InventoryItem[]>; errors: Array<{ source: string; message: string; type?: string }> }> | undefined;
  let fingerprint = '';
  const currentFingerprint = async () =>
    (await Promise.all(props.files.map((f) => stat(f).then((s) => `${s.size}:${s.mtimeMs}`, () => 'missing')))).join('|');
  async function fresh() {
    const now = await currentFingerprint();
    if (!loaded || now !== fingerprint) {
      fingerprint = now;
      loaded = loadAll();
    }
    return loaded;
  }

  async function loadAll() {
    const byType = new Map<string, InventoryItem[]>();
    const errors: Array<{ source: string; message: string; type?: string }> = [];
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
        try {
          const item = normaliseConfigurationItem(raw, props.mapping);
          let list = byType.get(item.resourceType);
          if (!list) byType.set(item.resourceType, (list = []));
          list.push(item);
        } catch (error) {
          const type = typeof (raw as { resourceType?: unknown })?.resourceType === 'string' ? (raw as { resourceType: string }).resourceType : undefined;
          errors.push({ source: `snapshot:${file}#${index}`, message: (error as Error).message, type });
        }
      });
    }
    return { byType, errors };
  }

  const source = {
    name: 'snapshot',
    async load() {
      await fresh();
    },
    async read(types: string[]): Promise<InventorySlice> {
      const { byType, errors } = await fresh();
      const items = types.flatMap((t) => byType.get(t) ?? []);
      return {
        items,
        errors: errors.filter((e) => e.type === undefined || types.includes(e.type)).map(({ source, message }) => ({ source, message })),
      };
    },
  };
  return source;
}
