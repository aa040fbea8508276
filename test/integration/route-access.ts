import type { TenetRole } from '../../engine/authz/api-keys.ts';

/**
 * Who may call what, written down independently of policies/tenet.cedar: the security suite checks every route
 * against this table, and a route whose gate is missing here fails the suite, so no route can ship unreviewed.
 */
export const ROUTE_ACCESS: Record<string, TenetRole[]> = {
  'authorize:authorize': ['admin', 'service'],
  'entities:write': ['admin', 'service'],
  'entities:read': ['admin', 'security_officer', 'service'],
  'policies:read': ['admin', 'security_officer'],
  'policies:activate': ['admin', 'security_officer'],
  'decisions:read': ['admin', 'security_officer', 'auditor'],
  'pii_reveals:read': ['admin', 'security_officer', 'auditor'],
  'api_keys:read': ['admin'],
  'api_keys:write': ['admin'],
  'metrics:read': ['admin', 'security_officer'],
  'controls:read': ['admin', 'security_officer', 'auditor'],
  'controls:run': ['admin', 'security_officer'],
  'integrations:read': ['admin', 'security_officer', 'auditor'],
  'exceptions:read': ['admin', 'security_officer', 'auditor'],
  'exceptions:approve': ['admin', 'security_officer'],
  'evidence:read': ['admin', 'security_officer', 'auditor'],
  'evidence:write': ['admin', 'security_officer'],
  'packs:read': ['admin', 'security_officer', 'auditor'],
  'packs:build': ['admin', 'security_officer', 'auditor'],
  'settings:read': ['admin', 'security_officer', 'auditor'],
  'settings:write': ['admin'],
  'incidents:read': ['admin', 'security_officer', 'auditor'],
  'incidents:write': ['admin', 'security_officer'],
};
