import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of Tenet's tables. Migrations in ./migrations are the source of truth. */
export interface Database {
  entities: EntitiesTable;
  policy_sets: PolicySetsTable;
  decisions: DecisionsTable;
  pii_reveals: PiiRevealsTable;
  api_keys: ApiKeysTable;
}

type Timestamp = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string, string>;

export interface EntitiesTable {
  type: string;
  id: string;
  attrs: Json<Record<string, unknown>>;
  parents: Json<Array<{ type: string; id: string }>>;
  /** From the entities_version sequence: every write takes a new one, so replicas can fetch what changed. */
  version: ColumnType<string, string | undefined, string>;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PolicySetsTable {
  id: Generated<number>;
  name: string;
  version: number;
  hash: string;
  policies: string;
  schema: string;
  status: 'active' | 'superseded' | 'rejected';
  created_at: Timestamp;
  created_by: string;
  comment: string | null;
  report: Json<unknown>;
}

export interface DecisionsTable {
  id: string;
  at: ColumnType<Date, Date | string, never>;
  principal_type: string;
  principal_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  decision: 'allow' | 'deny';
  reasons: Json<string[]>;
  errors: Json<string[]>;
  policy_hash: string;
  entity_version: string;
  latency_us: number;
  context_keys: Json<string[]>;
  request_id: string | null;
  caller: string | null;
}

export interface PiiRevealsTable {
  id: Generated<string>;
  decision_id: string;
  at: ColumnType<Date, Date | string, never>;
  principal_type: string;
  principal_id: string;
  resource_type: string;
  resource_id: string;
  agency_id: string | null;
  client_id: string | null;
  decision: 'allow' | 'deny';
  reasons: Json<string[]>;
  purpose: string | null;
  caller: string | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: 'admin' | 'security_officer' | 'auditor' | 'service';
  /** sha256 of the key: the key itself is shown once and never stored. */
  key_hash: string;
  prefix: string;
  created_at: Timestamp;
  created_by: string | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}
