import type { Db } from './database.ts';

/**
 * An install-wide secret Tenet makes for itself (the scanner's fingerprint key, the pack signing key): made once
 * by whichever replica asks first, kept in `install_secrets`, the same for every replica afterwards.
 */
export async function installSecret(db: Db, name: string, make: () => string): Promise<string> {
  await db.insertInto('install_secrets').values({ name, value: make() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await db.selectFrom('install_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
}
