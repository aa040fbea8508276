import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../../console/scripts/api-types.ts';

describe('the API types', () => {
  it('engine/client/schema.d.ts is what the current OpenAPI document generates (run `tsx console/scripts/api-types.ts`)', async () => {
    const generated = await generateApiTypes();
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    // A plain boolean first: the diff of two 3,000-line files is no help in the failure message.
    const current = committed === generated;
    expect(current, 'engine/client/schema.d.ts is out of date: run `npm run api:types` (tsx console/scripts/api-types.ts) and commit it').toBe(true);
  });
});
