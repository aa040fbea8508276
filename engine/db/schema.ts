import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of Tenet's tables. Migrations in ./migrations are the source of truth. */
export interface Database {
  entities: EntitiesTable;
  policy_sets: PolicySetsTable;
  policy_links: PolicyLinksTable;
  /** Partitioned by day (0018): `decisions_pYYYYMMDD` partitions and `decisions_default`; the key is (id, at). */
  decisions: DecisionsTable;
  /** Exported days of the decision log (0018; engine/authz/decision-export.ts): a claim while exporting, then the record. */
  decision_log_exports: {
    day: ColumnType<string, string, never>;
    status: 'exporting' | 'done';
    claimed_by: string;
    lease_until: ColumnType<Date, Date | string, Date | string>;
    object_key: string | null;
    manifest_key: string | null;
    sha256: string | null;
    lines_sha256: string | null;
    rows: ColumnType<string | null, string | number | null, string | number | null>;
    bytes: ColumnType<string | null, string | number | null, string | number | null>;
    exported_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  };
  pii_reveals: PiiRevealsTable;
  api_keys: ApiKeysTable;
  evidence_records: EvidenceRecordsTable;
  control_runs: ControlRunsTable;
  control_exceptions: ControlExceptionsTable;
  attestations: AttestationsTable;
  /** Imported scan reports (0015): counts and ids only; each import is also an evidence record. Append-only. */
  scan_reports: ScanReportsTable;
  /** Signed certifications of the access review (0013): append-only, `body` is the canonical JSON that was hashed. */
  access_certifications: {
    id: string;
    certified_at: ColumnType<Date, Date | string, never>;
    certified_by: string;
    body: ColumnType<unknown, string, never>;
    sha256: string;
    evidence_seq: ColumnType<string, string | number, never>;
    grants: number;
    revoked: number;
  };
  log_scan_checkpoints: {
    key: string;
    ts: ColumnType<string, string | number, string | number>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  log_scans: {
    id: Generated<string>;
    at: Timestamp;
    since_ms: ColumnType<string, string | number, never>;
    until_ms: ColumnType<string, string | number, never>;
    result: Json<unknown>;
  };
  deployments: { id: Generated<string>; deployed_at: ColumnType<Date, Date | string, never>; version: string; recorded_by: string; recorded_at: Timestamp };
  install_secrets: { name: string; value: string; created_at: Timestamp };
  /** `statement`/`digest` (0009): the signed checkpoint statement whole; null on rows made before (retention only). */
  evidence_checkpoints: {
    seq: ColumnType<string, string | number, never>;
    hash: string;
    created_at: ColumnType<Date, Date | string, never>;
    key_id: string;
    signature: string;
    statement: ColumnType<unknown, string | null | undefined, never>;
    digest: ColumnType<string | null, string | null | undefined, never>;
  };
  /** Public halves of the keys packs were signed with (0009): never a private key, never a source of trust. */
  signing_keys: { key_id: string; public_key_pem: string; algorithm: string; first_seen_at: Timestamp; first_seen_by: string };
  console_sessions: ConsoleSessionsTable;
  /** The incident register (0014; engine/incidents). */
  incidents: IncidentsTable;
  incident_steps: {
    incident_id: string;
    step: number;
    done_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    done_by: string | null;
    note: string | null;
  };
  incident_clocks: {
    incident_id: string;
    party: string;
    hours: number;
    due_at: ColumnType<Date, Date | string, never>;
    notified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
    notified_by: string | null;
    reference: string | null;
  };
  incident_rotations: {
    id: Generated<string>;
    incident_id: string;
    credential: string;
    created_at: Timestamp;
    created_by: string;
    done_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
    done_by: string | null;
  };
  incident_evidence: {
    id: Generated<string>;
    incident_id: string;
    reason: 'open' | 'request';
    created_at: Timestamp;
    created_by: string;
    window_from: ColumnType<Date, Date | string, never>;
    window_to: ColumnType<Date, Date | string, never>;
    sha256: string;
    evidence_seq: ColumnType<string, string | number, never>;
    evidence_hash: string;
    snapshot: Json<unknown>;
  };
  /** Outbound incident webhooks (0014): one row per incident and event, attempts recorded. */
  incident_notifications: {
    id: Generated<string>;
    incident_id: string;
    event: string;
    body: string;
    created_at: Timestamp;
    attempts: ColumnType<number, number | undefined, number>;
    last_status: number | null;
    last_error: string | null;
    last_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
    next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
    lease_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
    gave_up_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  };
  /** Decision-log records PostgreSQL refused, kept as escaped JSON text (0008; see DecisionLog). */
  decision_quarantine: {
    id: Generated<string>;
    decision_id: string;
    at: ColumnType<Date, Date | string, never>;
    quarantined_at: Timestamp;
    tables: 'decisions' | 'decisions+pii_reveals';
    reason: string;
    record: string;
  };
  packs: {
    id: string;
    profile: 'sp-api' | 'google';
    period_from: ColumnType<Date, Date | string, never>;
    period_to: ColumnType<Date, Date | string, never>;
    created_at: Timestamp;
    created_by: string;
    status: 'building' | 'ready' | 'refused' | 'failed';
    error: string | null;
    size: ColumnType<string | null, number | null | undefined, number | null>;
    sha256: string | null;
    manifest: ColumnType<unknown, string | null | undefined, string | null>;
  };
}

type Timestamp = ColumnType<Date, Date | string | undefined, never>;

interface IncidentsTable {
  id: string;
  title: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  detected_at: ColumnType<Date, Date | string, never>;
  opened_at: Timestamp;
  opened_by: string;
  integrations: Json<string[]>;
  data_categories: Json<string[]>;
  /** agencies and clients affected: [{ type: 'Agency' | 'Client', id }] */
  tenants: Json<Array<{ type: 'Agency' | 'Client'; id: string }>>;
  status: ColumnType<'open' | 'contained' | 'closed', 'open' | undefined, 'open' | 'contained' | 'closed'>;
  contained_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  closed_by: string | null;
  review_summary: string | null;
  review_lessons: string | null;
  reviewed_by: string | null;
  reviewed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
}
type Json<T> = ColumnType<T, string, string>;

interface EntitiesTable {
  type: string;
  id: string;
  attrs: Json<Record<string, unknown>>;
  parents: Json<Array<{ type: string; id: string }>>;
  /** Cedar entity tags, tag name → Cedar JSON value; '{}' when the entity has none (0010) */
  tags: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** From the entities_version sequence: every write takes a new one, so replicas can fetch what changed. */
  version: ColumnType<string, string | undefined, string>;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

interface PolicySetsTable {
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

/**
 * Template links (0011): per-tenant grants of a policy set, added and removed at runtime. A removal is a tombstone
 * (removed_at/removed_by set, a new version taken), so replicas notice it by the set's highest version.
 */
interface PolicyLinksTable {
  id: Generated<string>;
  policy_set: 'platform' | 'tenet';
  link_id: string;
  template_id: string;
  /** the `?principal` slot's value ({type, id}), null when the template has no such slot */
  principal: ColumnType<{ type: string; id: string } | null, string | null, never>;
  resource: ColumnType<{ type: string; id: string } | null, string | null, never>;
  /** From the policy_links_version sequence: taken on insert and again on removal. */
  version: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  created_by: string;
  removed_at: ColumnType<Date | null, undefined, Date | string>;
  removed_by: ColumnType<string | null, undefined, string>;
}

interface DecisionsTable {
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
  /** uids ({type, id}) of the entities the request supplied; [] when none (0007) */
  request_entities: ColumnType<Array<{ type: string; id: string }>, string | undefined, never>;
}

interface PiiRevealsTable {
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

interface ApiKeysTable {
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

interface ConsoleSessionsTable {
  /** sha256 of the cookie's token: the token itself is never stored. */
  id_hash: string;
  csrf_token: string;
  subject: string;
  name: string;
  role: 'admin' | 'security_officer' | 'auditor' | 'service';
  via: 'demo' | 'oidc';
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, never>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

interface EvidenceRecordsTable {
  seq: ColumnType<string, string | number, never>;
  prev_hash: string;
  hash: string;
  collected_at: ColumnType<Date, Date | string, never>;
  control_id: string;
  source: string;
  payload: Json<unknown>;
}

/** `abandoned`: the replica running it stopped renewing its lease (it died); a run, not a verdict. */
export type RunStatus = 'running' | 'pass' | 'fail' | 'error' | 'not_applicable' | 'abandoned';

interface ControlRunsTable {
  id: Generated<string>;
  control_id: string;
  trigger: 'schedule' | 'manual' | 'startup';
  scheduled_for: ColumnType<Date | null, Date | string | null | undefined, never>;
  replica: string;
  status: RunStatus;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  duration_ms: number | null;
  summary: string | null;
  findings: ColumnType<Array<{ resourceId: string; resourceType?: string; message: string; severity?: 'info' }>, string | undefined, string>;
  evidence_seq: string | null;
  requested_by: string | null;
  /** while running: until when the running replica holds the run (renewed by its heartbeat); database time */
  lease_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

interface ControlExceptionsTable {
  id: string;
  control_id: string;
  integration_id: string | null;
  reason: string;
  /** what was decided (migration 0016); revoked and expired are read from revoked_at and expires_at */
  state: ColumnType<'requested' | 'approved' | 'rejected', 'requested' | 'approved' | 'rejected' | undefined, 'approved' | 'rejected'>;
  /** a ticket id or URL; null on exceptions recorded before migration 0016 */
  ticket: string | null;
  /** display name of the requester; null on exceptions recorded before migration 0016 */
  requested_by: string | null;
  /** the requester's identity (`key:<api key id>` or `user:<subject>`): the four-eyes rule compares it */
  requested_by_id: string | null;
  approved_by: string | null;
  approved_by_id: string | null;
  approved_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  rejected_by: string | null;
  rejected_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  rejection_reason: string | null;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, never>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>;
  revoked_by: string | null;
}

interface AttestationsTable {
  id: Generated<string>;
  document_id: string;
  title: string;
  kid: string;
  attested_by: string;
  attested_at: ColumnType<Date, Date | string, never>;
  expires_at: ColumnType<Date, Date | string, never>;
  digest: string;
  jws: string;
  received_at: Timestamp;
  received_by: string;
}

interface ScanReportsTable {
  id: Generated<string>;
  kind: 'sast' | 'dependency-audit' | 'pentest';
  format: 'sarif' | 'npm-audit' | 'summary';
  tool: string;
  tool_version: string | null;
  scanned_at: ColumnType<Date, Date | string, never>;
  imported_at: Timestamp;
  imported_by: string;
  sha256: string;
  size: number;
  /** ParsedScanReport (controls/collectors/scan-reports.ts) */
  summary: ColumnType<unknown, string, never>;
  evidence_seq: ColumnType<string, string | number, never>;
}
