/**
 * Tenet's client for app services (`@tenet/client`): authorize, authorize in batches, push and delete entities;
 * every decision fails closed. The Express middleware is `@tenet/client/express` (./express.ts).
 */
export { BATCH_CHUNK, TenetClient, TenetClientError, type Decision, type TenetClientProps } from './tenet-client.ts';
export type { AuthorizeRequest, Entity, EntityUid, PutEntitiesResult } from './api-types.ts';
