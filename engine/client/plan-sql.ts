import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { components } from './schema.d.ts';

/**
 * The condition language of `POST /v1/authorize/plan`, and its translation to SQL over an app's own table.
 *
 * A condition is a predicate over one resource of the planned type: its attributes (one level: `resource.client`,
 * not `resource.client.agency`) and its ancestors in the entity hierarchy. Entity values are `{type, id}`; a
 * column that holds an entity attribute holds the entity's id. Part of the client app services ship (kysely's `sql` tag
 * and nothing of the server); the server's planner (engine/authz/plan.ts) produces the same language.
 */
/** A value in a condition: a string, number, boolean, or an entity `{type, id}`. */
export type PlanValue = components['schemas']['PlanValue'];

/**
 * `true`, `false`, `and`, `or`, `not`; `eq` (`resource[attribute] == value`), `in` (`resource[attribute]` is one of
 * `values`), `is_in_set` (`value` is an element of the set-valued `resource[attribute]`), `id_in` (the resource is
 * one of these ids), `has_ancestor` (`resource in entity`). The API's own type (docs/api.md, "List filtering").
 */
export type PlanCondition = components['schemas']['PlanCondition'];

/**
 * How the app's table holds the resources: one row per resource; `attributes` maps a Cedar attribute to its column
 * (`id` holds the resource's own id; an entity attribute's column holds the entity id; a set attribute's column is a PostgreSQL array); `ancestors`
 * maps an ancestor entity type to the column holding the id of the row's ancestor of that type.
 */
export interface PlanTableMapping {
  table: string;
  /** the column holding the resource's id (needed by `id_in`) */
  id?: string;
  attributes: Record<string, string>;
  ancestors?: Record<string, string>;
}

/** A condition names an attribute or ancestor type the mapping does not declare: the filter cannot be written. */
export class PlanMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanMappingError';
  }
}

/** Builds the filter for any target: `column` names a mapped column, `param` a bound value. */
interface Target<T> {
  raw(text: string): T;
  column(name: string): T;
  param(value: string | number | boolean): T;
  join(parts: T[], separator: string): T;
  wrap(parts: T[]): T;
}

const scalar = (v: PlanValue): string | number | boolean => (typeof v === 'object' ? v.id : v);

function build<T>(c: PlanCondition, m: PlanTableMapping, t: Target<T>): T {
  const column = (attribute: string): T => {
    const name = Object.hasOwn(m.attributes, attribute) ? m.attributes[attribute] : undefined;
    if (name === undefined) throw new PlanMappingError(`the table mapping has no column for attribute ${JSON.stringify(attribute)}`);
    return t.column(name);
  };
  switch (c.op) {
    case 'true':
      return t.raw('TRUE');
    case 'false':
      return t.raw('FALSE');
    case 'and':
    case 'or':
      if (c.args.length === 0) return t.raw(c.op === 'and' ? 'TRUE' : 'FALSE');
      return t.wrap([
        t.raw('('),
        t.join(
          c.args.map((a) => build(a, m, t)),
          c.op === 'and' ? ' AND ' : ' OR ',
        ),
        t.raw(')'),
      ]);
    case 'not':
      return t.wrap([t.raw('(NOT '), build(c.arg, m, t), t.raw(')')]);
    // Comparisons are COALESCEd: a NULL column is "not equal", never an unknown that NOT would keep unknown.
    case 'eq':
      return t.wrap([t.raw('COALESCE('), column(c.attribute), t.raw(' = '), t.param(scalar(c.value)), t.raw(', FALSE)')]);
    case 'in':
      if (c.values.length === 0) return t.raw('FALSE');
      return t.wrap([
        t.raw('COALESCE('),
        column(c.attribute),
        t.raw(' IN ('),
        t.join(
          c.values.map((v) => t.param(scalar(v))),
          ', ',
        ),
        t.raw('), FALSE)'),
      ]);
    case 'is_in_set':
      return t.wrap([t.raw('COALESCE('), t.param(scalar(c.value)), t.raw(' = ANY('), column(c.attribute), t.raw('), FALSE)')]);
    case 'id_in':
      if (m.id === undefined) throw new PlanMappingError('the table mapping has no id column');
      if (c.ids.length === 0) return t.raw('FALSE');
      return t.wrap([
        t.raw('COALESCE('),
        t.column(m.id),
        t.raw(' IN ('),
        t.join(
          c.ids.map((v) => t.param(v)),
          ', ',
        ),
        t.raw('), FALSE)'),
      ]);
    case 'has_ancestor': {
      const ancestors = m.ancestors ?? {};
      const name = Object.hasOwn(ancestors, c.entity.type) ? ancestors[c.entity.type] : undefined;
      if (name === undefined) throw new PlanMappingError(`the table mapping has no ancestor column for type ${JSON.stringify(c.entity.type)}`);
      return t.wrap([t.raw('COALESCE('), t.column(name), t.raw(' = '), t.param(c.entity.id), t.raw(', FALSE)')]);
    }
    default:
      throw new PlanMappingError(`unknown condition op ${JSON.stringify((c as { op: unknown }).op)}`);
  }
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The condition as a plain SQL boolean expression with `$1, $2, …` parameters (node-postgres style), columns
 * qualified by the mapping's table: `SELECT * FROM orders WHERE ${sql}`.
 */
export function planToSql(condition: PlanCondition, mapping: PlanTableMapping, firstParam = 1): { sql: string; params: Array<string | number | boolean> } {
  const params: Array<string | number | boolean> = [];
  const table = quoteIdent(mapping.table);
  const text = build<string>(condition, mapping, {
    raw: (s) => s,
    column: (name) => `${table}.${quoteIdent(name)}`,
    param: (v) => {
      params.push(v);
      return `$${firstParam + params.length - 1}`;
    },
    join: (parts, sep) => parts.join(sep),
    wrap: (parts) => parts.join(''),
  });
  return { sql: text, params };
}

/** The condition as a Kysely expression: `db.selectFrom('orders').selectAll().where(planToKysely(condition, mapping))`. */
export function planToKysely(condition: PlanCondition, mapping: PlanTableMapping): RawBuilder<SqlBool> {
  return build<RawBuilder<unknown>>(condition, mapping, {
    raw: (s) => sql.raw(s),
    column: (name) => sql.ref(`${mapping.table}.${name}`),
    param: (v) => sql`${v}`,
    join: (parts, sep) => sql.join(parts, sql.raw(sep)),
    wrap: (parts) => sql.join(parts, sql.raw('')),
  }) as RawBuilder<SqlBool>;
}
