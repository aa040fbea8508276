import type { Entity } from './entity.ts';

/** A stored entity as the entity store's cache holds it. */
export interface IndexedEntity {
  entity: Entity;
}

export function indexEntity(entity: Entity): IndexedEntity {
  return { entity };
}
