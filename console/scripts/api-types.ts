/**
 * Generates engine/client/schema.d.ts, the types of the engine's API (the client's and the console's), from the OpenAPI document the
 * server serves at /openapi.json (built here from the same route definitions, without a server: `tenet openapi`).
 * Run it after changing a route's schemas: `tsx console/scripts/api-types.ts`. test/integration/api-types.test.ts
 * fails while the committed file differs from what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../../engine/main/commands/openapi.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../engine/client/schema.d.ts', import.meta.url));

const HEADER = `/**
 * Generated from the engine's OpenAPI document by console/scripts/api-types.ts (openapi-typescript). Do not edit:
 * change the route's schemas in engine/http/routes and run the script again.
 */

`;

/** The text schema.d.ts should have: openapi-typescript's output over the current document, formatted by Prettier. */
export async function generateApiTypes(): Promise<string> {
  const document = JSON.parse(JSON.stringify(openApiDocument()));
  const ast = await openapiTS(document);
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  return format(HEADER + astToString(ast), { ...options, filepath: SCHEMA_FILE });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(SCHEMA_FILE, await generateApiTypes());
  console.log(`wrote ${SCHEMA_FILE}`);
}
