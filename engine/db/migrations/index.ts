import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_authz.ts';
import * as m0002 from './0002_controls.ts';
import * as m0003 from './0003_log_scan.ts';
import * as m0004 from './0004_packs.ts';
import * as m0005 from './0005_evidence_checkpoints.ts';
import * as m0006 from './0006_console_sessions.ts';
import * as m0007 from './0007_request_entities.ts';
import * as m0008 from './0008_decision_quarantine.ts';
import * as m0009 from './0009_keys_and_anchored_checkpoints.ts';
import * as m0010 from './0010_entity_tags.ts';
import * as m0011 from './0011_policy_links.ts';
import * as m0012 from './0012_control_runs_latest.ts';
import * as m0013 from './0013_access_certifications.ts';
import * as m0014 from './0014_incidents.ts';
import * as m0015 from './0015_scan_reports.ts';
import * as m0016 from './0016_exception_governance.ts';
import * as m0017 from './0017_control_run_leases.ts';
import * as m0018 from './0018_decision_partitions.ts';
import * as m0019 from './0019_control_settings_versions.ts';

/**
 * The migrations, listed rather than read from the folder: the same list works under tsx, vitest and a bundle,
 * and a migration can never be skipped because a file failed to load.
 */
const migrations: Record<string, Migration> = {
  '0001_authz': m0001,
  '0002_controls': m0002,
  '0003_log_scan': m0003,
  '0004_packs': m0004,
  '0005_evidence_checkpoints': m0005,
  '0006_console_sessions': m0006,
  '0007_request_entities': m0007,
  '0008_decision_quarantine': m0008,
  '0009_keys_and_anchored_checkpoints': m0009,
  '0010_entity_tags': m0010,
  '0011_policy_links': m0011,
  '0012_control_runs_latest': m0012,
  '0013_access_certifications': m0013,
  '0014_incidents': m0014,
  '0015_scan_reports': m0015,
  '0016_exception_governance': m0016,
  '0017_control_run_leases': m0017,
  '0018_decision_partitions': m0018,
  '0019_control_settings_versions': m0019,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
