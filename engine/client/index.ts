/**
 * Tenet's client for app services (`@tenet/client`): authorize, authorize in batches, plan list filters (and turn them into SQL), push and delete entities;
 * every decision fails closed. The Express middleware is `@tenet/client/express` (./express.ts).
 */
export { BATCH_CHUNK, TenetClient, TenetClientError, type Decision, type TenetClientProps } from './tenet-client.ts';
export type { AuthorizeRequest, Entity, EntityUid, Plan, PlanRequest, PutEntitiesResult } from './api-types.ts';
export { PlanMappingError, planToKysely, planToSql, type PlanCondition, type PlanTableMapping, type PlanValue } from './plan-sql.ts';
