// Shapes of the engine's answers the console reads (see engine/http/routes/* and /openapi.json).

export type TenetRole = 'admin' | 'security_officer' | 'auditor' | 'service';
export type ControlStatus = 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale' | 'never_run';
export type RunStatus = 'pass' | 'fail' | 'error' | 'not_applicable' | 'running';

export interface Session {
  user: { id: string; name: string; role: TenetRole; via: 'demo' | 'oidc' | 'api_key' | 'session' };
  csrfToken: string | null;
  expiresAt: string | null;
  permissions: Record<string, string[]>;
}

export interface SessionOptions {
  demo: boolean;
  demoUsers: Array<{ role: TenetRole; name: string; description?: string }>;
  oidc: { issuer: string; clientId: string; roleClaim: string; scopes: string; authorizationEndpoint: string | null } | null;
  session: Session | null;
}

export interface Finding {
  resource?: string;
  resourceId?: string;
  message?: string;
  detail?: string;
  severity?: string;
  [k: string]: unknown;
}

export interface StoredRun {
  id: string;
  controlId: string;
  trigger: 'schedule' | 'manual' | 'startup';
  scheduledFor: string | null;
  replica: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  summary: string | null;
  findings: Finding[];
  evidenceSeq: number | null;
  requestedBy: string | null;
}

export interface EvidenceRecord {
  seq: number;
  hash: string;
  prevHash?: string;
  [k: string]: unknown;
}

export interface ControlPosture {
  id: string;
  title: string;
  commitment: string;
  frameworks: string[];
  severity: 'critical' | 'high' | 'medium' | 'low';
  schedule: string;
  freshFor: string | number;
  remediation: string;
  status: ControlStatus;
  lastRun: StoredRun | null;
}

export interface IntegrationReadiness {
  integrationId: string;
  ready: boolean;
  name?: string;
  provider?: string;
  controls: Array<{
    controlId: string;
    status: ControlStatus | 'unknown_control';
    satisfied: boolean;
    exception?: { id: string; approvedBy: string; reason: string; expiresAt: string };
    lastRunAt?: string;
  }>;
  blockers: string[];
}

export interface ControlException {
  id: string;
  controlId: string;
  integrationId: string | null;
  reason: string;
  approvedBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  active: boolean;
  revokedBy: string | null;
}

export interface PostureHistory {
  days: Array<{ date: string; pass: number; fail: number; error: number; other: number; passRate: number | null }>;
  changes: Array<{ controlId: string; title: string; from: ControlStatus | null; to: ControlStatus; at: string; runId: string }>;
}

export interface Pack {
  id: string;
  profile: 'sp-api' | 'google';
  periodFrom: string;
  periodTo: string;
  createdAt: string;
  createdBy: string;
  status: 'building' | 'ready' | 'refused' | 'failed';
  error: string | null;
  size: number | null;
  sha256: string | null;
  progress?: { phase: string; done: number; total: number | null } | null;
}
