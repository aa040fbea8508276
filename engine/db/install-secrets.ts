import type { Db } from './database.ts';

/**
 * `install_secrets` is where Tenet once kept the pack signing key and the scanner's fingerprint key. Keys no longer
 * live in any table (evidence/ledger/keys.ts reads them from a key file or the environment): on first start after the
 * upgrade the rows are read here, written into the key file, and only then deleted. Migration 0009 makes the table
 * refuse new rows, so an old replica in a rolling deploy cannot mint a key into it again.
 */
const INSTALL_SECRET_NAMES = { signingKey: 'pack-signing-key', scannerSecret: 'scanner-fingerprint' } as const;

/** What is still in `install_secrets` (nothing once the keys were moved out). */
export async function readInstallSecrets(db: Db): Promise<{ signingKey?: string; scannerSecret?: string }> {
  const rows = await db.selectFrom('install_secrets').select(['name', 'value']).execute();
  const by = new Map(rows.map((r) => [r.name, r.value]));
  return {
    ...(by.has(INSTALL_SECRET_NAMES.signingKey) ? { signingKey: by.get(INSTALL_SECRET_NAMES.signingKey) } : {}),
    ...(by.has(INSTALL_SECRET_NAMES.scannerSecret) ? { scannerSecret: by.get(INSTALL_SECRET_NAMES.scannerSecret) } : {}),
  };
}

/** Deletes the rows once their values are safely elsewhere (fsynced key file). */
export async function deleteInstallSecrets(db: Db): Promise<number> {
  const r = await db
    .deleteFrom('install_secrets')
    .where('name', 'in', [INSTALL_SECRET_NAMES.signingKey, INSTALL_SECRET_NAMES.scannerSecret])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
