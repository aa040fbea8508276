import type { InventorySlice } from '../define-control.ts';

/**
 * Where configuration items come from: AWS (Config Service + direct APIs), AWS Config snapshot files, ...
 * `read` never throws for a failing account, region or API: it reports the failure in `errors` (naming the
 * source, never a credential) so the control that asked is `error`, not `pass` on partial data.
 */
export interface InventorySource {
  readonly name: string;
  read(types: string[], options?: { signal?: AbortSignal }): Promise<InventorySlice>;
}

/** A source built on its first read: the AWS SDK (and its start-up time) is loaded only when a check reads AWS. */
export function lazySource(name: string, load: () => Promise<InventorySource>): InventorySource {
  let source: Promise<InventorySource> | undefined;
  return {
    name,
    async read(types, options) {
      source ??= load();
      return (await source).read(types, options);
    },
  };
}
