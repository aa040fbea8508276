import type { Config } from '../../kernel/config.ts';
import { openDatabase } from '../../db/database.ts';
import { migrateToLatest } from '../../db/database.ts';
import { parse } from './args.ts';

export async function migrate(args: string[], ctx: { config: () => Config }): Promise<number> {
  parse(args, {}); // takes no options: anything given is refused before the database is touched
  const config = ctx.config();
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR, migrate: false });
  try {
    const applied = await migrateToLatest(h.db);
    console.log(applied.length ? `Applied ${applied.length} migration(s) to ${h.location}: ${applied.join(', ')}` : `${h.location} is up to date.`);
    return 0;
  } finally {
    await h.close();
  }
}
