/**
 * What the incident register needs from the control settings file's `incidents` block (controls/settings.ts holds
 * the schema and the defaults; this layer sits below the controls and keeps its own view of the shape).
 */
export interface IncidentSettings {
  /**
   * party → hours from detection to notify it. `amazon` is not configurable: 24 hours whenever Amazon Information is
   * involved (the Data Protection Policy). `customers` applies when agencies or clients are affected, `google` when a
   * Google integration or Google user data is; any other party named here applies to every incident.
   */
  clocks: Record<string, number>;
  /** signed webhooks (engine/incidents/incident-webhooks.ts); the secret is named by the variable that holds it */
  webhook?: { url: string; secretEnv: string; maxAttempts: number; retryBaseMs: number };
  /** the decision-log window an evidence snapshot covers before detection */
  evidenceWindowHours: number;
  /** incident.notification-on-time looks this far back */
  lookbackDays: number;
  /** a "clock due" webhook goes out this long before a clock runs out */
  warnHoursBefore: number;
}

/** Amazon's Data Protection Policy: notice within 24 hours of detection when Amazon Information is involved. */
export const AMAZON_NOTICE_HOURS = 24;

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = {
  clocks: { customers: 72, google: 24 },
  evidenceWindowHours: 24,
  lookbackDays: 90,
  warnHoursBefore: 2,
};
