import type { RouteDef } from '../http/route.ts';
import { controlRoutes } from '../http/routes/control-routes.ts';
import { packRoutes } from '../http/routes/pack-routes.ts';
import { programmeRoutes } from '../http/routes/programme-routes.ts';
import { incidentRoutes } from '../http/routes/incident-routes.ts';
import { accessReviewRoutes } from '../http/routes/access-review-routes.ts';
import { scanReportRoutes } from '../http/routes/scan-report-routes.ts';

/** What each domain's route group is built from; engine/main/server.ts wires the real parts, `tenet openapi` stubs. */
export interface DomainRouteDeps {
  controls: Parameters<typeof controlRoutes>[0];
  /** the incident register (setupIncidents in setup-incidents.ts) */
  incidents: Parameters<typeof incidentRoutes>[0];
  /** the pack service's parts, with the access review and its certifications (packService in setup-controls.ts) */
  packs: Parameters<typeof packRoutes>[0] & Parameters<typeof accessReviewRoutes>[0] & Parameters<typeof programmeRoutes>[0];
}

/**
 * The route groups beyond the core API createApp builds itself (authorization, policies, audit, keys, sessions):
 * the one list the server mounts and `tenet openapi` describes. A new group is added here, once.
 */
export function domainRoutes(deps: DomainRouteDeps): RouteDef[] {
  return [
    ...controlRoutes(deps.controls),
    ...incidentRoutes(deps.incidents),
    ...packRoutes(deps.packs),
    ...accessReviewRoutes(deps.packs),
    ...programmeRoutes(deps.packs),
    // Scan-report imports append to the control service's evidence chain: the store is the control service's.
    ...scanReportRoutes({ reports: deps.controls.controls.service.scanReports }),
  ];
}
