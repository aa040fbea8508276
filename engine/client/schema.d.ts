/**
 * Generated from the engine's OpenAPI document by console/scripts/api-types.ts (openapi-typescript). Do not edit:
 * change the route's schemas in engine/http/routes and run the script again.
 */

export interface paths {
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process answers. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @constant */
              status: 'ok';
              version: string;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: both policy sets active, the database answers, the decision log is not backed up. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Ready */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'not_ready';
              checks: {
                [key: string]: boolean;
              };
              /** @description the checks that are false; absent when ready */
              failed?: string[];
              /** @description present when the decision journal is on */
              decisionJournal?: {
                /** @enum {string} */
                state: 'ok' | 'full' | 'failed' | 'closed';
                reason?: string;
                bytes: number;
                maxBytes: number;
              };
              authorization: {
                entitiesRefreshedAt: string | null;
                /** @description how old the entity store’s view may be: the time since it last refreshed */
                entitiesStaleMs: number | null;
              };
            };
          };
        };
        /** @description Not ready (the failing checks are false) */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'not_ready';
              checks: {
                [key: string]: boolean;
              };
              /** @description the checks that are false; absent when ready */
              failed?: string[];
              /** @description present when the decision journal is on */
              decisionJournal?: {
                /** @enum {string} */
                state: 'ok' | 'full' | 'failed' | 'closed';
                reason?: string;
                bytes: number;
                maxBytes: number;
              };
              authorization: {
                entitiesRefreshedAt: string | null;
                /** @description how old the entity store’s view may be: the time since it last refreshed */
                entitiesStaleMs: number | null;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics (text exposition format). */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Prometheus text */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/plain': string;
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This document. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The OpenAPI 3.1 document */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              openapi: string;
              info: {
                title: string;
                version: string;
                description: string;
              };
              components: {
                [key: string]: unknown;
              };
              paths: {
                [key: string]: unknown;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/authorize': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** May this principal do this action on this resource? Deny by default; every decision is logged. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['AuthorizeRequest'];
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Decision'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/authorize/batch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Up to 100 decisions in one call, answered in order. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            requests: components['schemas']['AuthorizeRequest'][];
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              results: components['schemas']['Decision'][];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/entities': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Stored entities, by type and id prefix (case-insensitive), sorted by type and id: for pickers. */
    get: {
      parameters: {
        query?: {
          type?: string;
          /** @description id prefix */
          q?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              entities: components['schemas']['StoredEntity'][];
              /** @description more entities match than were returned */
              truncated: boolean;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    /** Bulk upsert of platform entities (Cedar entity JSON), validated against the platform schema. */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            entities: {
              uid: {
                type: string;
                id: string;
              };
              /** @default {} */
              attrs?: {
                [key: string]: unknown;
              };
              /** @default [] */
              parents?: {
                type: string;
                id: string;
              }[];
              /** @description Cedar entity tags: tag name → Cedar JSON value, read by policies with hasTag/getTag. Only for entity types whose schema declares tags (`entity T tags String;`), with values of the declared type; any other tag is refused as an undeclared attribute is. Absent when the entity has none. */
              tags?: {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              upserted: number;
              version: string;
              /** @description Attributes Tenet kept against the pushed value, as `Type::id.attr`: a configured integration's provider, restricted and ready; a status moving away from suspended (only an admin key lifts a suspension) */
              kept: string[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description More than 10,000 entities, or a body over 8,388,608 bytes (8 MiB): the message names both limits; nothing is written */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/entities/{type}/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One stored entity. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          type: string;
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['StoredEntity'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** Deletes one entity. */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          type: string;
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Deleted */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No such entity */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/authorize/plan': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Which resources of a type may this principal act on? Answers always_allowed, always_denied, or a condition over the resource attributes and ancestors to filter a list with (partial evaluation). */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['PlanRequest'];
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Plan'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description `plan_unsupported`: the policies need what the condition language cannot express exactly */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policies': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The active policy sets (text and schema) and their version history. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              policySets: {
                /** @enum {string} */
                name: 'platform' | 'tenet';
                hash: string;
                policies: string;
                schema: string;
                policyIds: string[];
                templateIds: string[];
                /** @description how many live template links */
                links: number;
                versions: components['schemas']['PolicyVersion'][];
              }[];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    /** Proposes a new version; it goes live only if it validates and every decision table passes (else 409 with the failing cases). */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            name: 'platform' | 'tenet';
            policies: string;
            schema: string;
            comment?: string;
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              version: components['schemas']['PolicyVersion'];
              report: components['schemas']['PolicyCheckReport'];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Rejected: validation errors (including text that faults Cedar) or failing decision tables, in error.details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The Cedar sandbox is busy with other drafts, or the deciding instance is being replaced */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policies/links': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The live template links (per-tenant grants) of a policy set, oldest first. */
    get: {
      parameters: {
        query?: {
          name?: 'platform' | 'tenet';
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              links: components['schemas']['PolicyLink'][];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Links a template of the active version (a per-tenant grant), without a new version. The set it makes must validate strictly and pass every decision table; it serves at once on this replica, on the others within seconds. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['PolicyLinkRequest'];
        };
      };
      responses: {
        /** @description Linked */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['PolicyLink'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The Cedar sandbox is busy, or the deciding instance is being replaced */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policies/links/{name}/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Removes a template link: its grant stops at once on this replica, on the others within seconds. */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: 'platform' | 'tenet';
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Removed */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No live link with this id */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policies/validate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Validates a draft strictly against its schema (in the Cedar sandbox, never in the deciding instance) and runs the decision tables. Stores nothing. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            name: 'platform' | 'tenet';
            policies: string;
            schema: string;
            comment?: string;
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['PolicyCheckReport'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The Cedar sandbox is busy with other drafts, or the deciding instance is being replaced */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policies/try': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Decides a request with the active platform policies, or with a draft (validated against the active platform schema), over the stored entities plus the given ones; answers with the deciding policies’ text. Not logged. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['PolicyTryRequest'];
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['PolicyTryResult'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no active platform policy set, or the Cedar sandbox is busy */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/decisions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The decision log, newest first, filtered by principal, resource, action, decision and time. */
    get: {
      parameters: {
        query?: {
          /** @description platform decisions only, or Tenet’s own route checks only; both when absent */
          set?: 'platform' | 'tenet';
          principal?: string;
          resource?: string;
          action?: string;
          decision?: 'allow' | 'deny';
          from?: string;
          to?: string;
          limit?: number;
          before?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              decisions: components['schemas']['LoggedDecision'][];
              /** @description the cursor of the next page (`before`); null on the last page */
              next: string | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/decisions/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The decision log as a CSV download, newest first, with the filters of /v1/decisions; at most 100,000 rows. Cells a spreadsheet would read as a formula are prefixed with an apostrophe. */
    get: {
      parameters: {
        query?: {
          format?: 'csv';
          /** @description platform decisions only, or Tenet’s own route checks only; both when absent */
          set?: 'platform' | 'tenet';
          principal?: string;
          resource?: string;
          action?: string;
          decision?: 'allow' | 'deny';
          from?: string;
          to?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/csv': string;
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/pii-reveals': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The buyer-PII reveal audit (Addendum §13.2), newest first; kept 365 days. */
    get: {
      parameters: {
        query?: {
          principal?: string;
          agency?: string;
          client?: string;
          decision?: 'allow' | 'deny';
          from?: string;
          to?: string;
          limit?: number;
          before?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              reveals: components['schemas']['PiiReveal'][];
              /** @description the cursor of the next page (`before`); null on the last page */
              next: string | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/pii-reveals/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The buyer-PII reveal audit as a CSV download, newest first, with the filters of /v1/pii-reveals; at most 100,000 rows. */
    get: {
      parameters: {
        query?: {
          format?: 'csv';
          principal?: string;
          agency?: string;
          client?: string;
          decision?: 'allow' | 'deny';
          from?: string;
          to?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/csv': string;
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/api-keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** API keys (never the keys themselves: only their prefixes). */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              keys: components['schemas']['ApiKeyInfo'][];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Creates a key bound to a role. The key is in this answer only; store it now. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            name: string;
            /** @enum {string} */
            role: 'admin' | 'security_officer' | 'auditor' | 'service';
          };
        };
      };
      responses: {
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the key itself: shown in this answer only */
              key: string;
              info: components['schemas']['ApiKeyInfo'];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/api-keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revokes a key (other replicas stop accepting it within seconds). */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              revoked: components['schemas']['ApiKeyInfo'];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/controls': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The control catalogue with each control's current status (pass, fail, error, not_applicable, stale, never_run) and last run. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              controls: {
                id: string;
                title: string;
                commitment: string;
                frameworks: string[];
                /** @enum {string} */
                severity: 'critical' | 'high' | 'medium' | 'low';
                /** @description cron pattern in force */
                schedule: string;
                freshFor: string;
                remediation: string;
                /** @enum {string} */
                status: 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale' | 'never_run';
                /** @description the latest finished run (the one that finished last) */
                lastRun: {
                  id: string;
                  controlId: string;
                  /** @enum {string} */
                  trigger: 'schedule' | 'manual' | 'startup';
                  scheduledFor: string | null;
                  replica: string;
                  /**
                   * @description `abandoned`: the replica running it stopped renewing its lease (it died); the control runs again at its next tick
                   * @enum {string}
                   */
                  status: 'running' | 'pass' | 'fail' | 'error' | 'not_applicable' | 'abandoned';
                  startedAt: string;
                  finishedAt: string | null;
                  durationMs: number | null;
                  summary: string | null;
                  findings: {
                    resourceId: string;
                    resourceType?: string;
                    message: string;
                    /**
                     * @description only on findings that are not failures
                     * @constant
                     */
                    severity?: 'info';
                  }[];
                  evidenceSeq: number | null;
                  requestedBy: string | null;
                } | null;
              }[];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/posture/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Posture per UTC day (default the last 30 days, today included): how many controls pass, fail, error or are stale/not applicable, each control counted with its last result of the day or carried forward from before; and the newest status changes. */
    get: {
      parameters: {
        query?: {
          days?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              days: {
                /** @description UTC day, YYYY-MM-DD */
                date: string;
                pass: number;
                fail: number;
                error: number;
                /** @description stale + not_applicable */
                other: number;
                stale: number;
                notApplicable: number;
                /** @description pass / (pass + fail + error + stale); null when no control was evaluated that day */
                passRate: number | null;
              }[];
              /** @description Newest first, at most 20: runs whose status differs from the previous finished run of the same control */
              changes: {
                controlId: string;
                title: string;
                from: ('pass' | 'fail' | 'error' | 'not_applicable') | null;
                /** @enum {string} */
                to: 'pass' | 'fail' | 'error' | 'not_applicable';
                at: string;
                runId: string;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/settings': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What is being checked, as configured: where the settings came from, environments, AWS accounts and regions, probes, log scan, schedules, integrations and their controls, retention. Never a secret. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the settings file path, "demo", or "inline" */
              source: string;
              demo: boolean;
              environments: {
                environment: string;
                accounts: string[];
                resources: string[];
              }[];
              aws: {
                accounts: {
                  accountId: string;
                  regions?: string[];
                  roleArn?: string;
                  externalId: 'configured' | null;
                }[];
                endpoint: string | null;
                requestTimeoutMs: number;
                maxAttempts: number;
              } | null;
              snapshots: string[];
              probes: (
                | {
                    name: string;
                    /** @constant */
                    kind: 'webhook';
                    url: string;
                    provider: string;
                    signatureHeader: string;
                  }
                | {
                    name: string;
                    /** @constant */
                    kind: 'orders';
                    url: string;
                    /** @description header names; their values stay in the environment */
                    headers: string[];
                    buyerFields: string[];
                    ordersPath: string;
                  }
              )[];
              probeHosts: string[];
              probeTimeoutMs: number;
              /** @description network.tls-versions: the endpoints whose TLS versions and certificate are probed (probes.tls) */
              tlsEndpoints: {
                name: string;
                url: string;
                servername: string | null;
                /** @description a private CA file (probes.tls[].ca) is trusted besides the system CAs */
                privateCa: boolean;
              }[];
              logScan: {
                groups: (
                  | {
                      logGroupName: string;
                      accountId: string;
                      region: string;
                      /** @constant */
                      source: 'cloudwatch';
                    }
                  | {
                      logGroupName: string;
                      /** @constant */
                      source: 'export';
                    }
                )[];
                windowHours: number;
                insightsPrefilter: boolean;
                maxSamplesPerDetector: number;
              } | null;
              platformDatabase: {
                /** @enum {string} */
                status: 'configured' | 'missing';
                /** @description absent when missing or not given by the URL */
                host?: string;
                database?: string | null;
                statementTimeoutMs: number;
                backfillQuery: boolean;
              } | null;
              attestations: {
                trustedKeys: {
                  kid: string;
                  fingerprint: string;
                }[];
              };
              schedules: {
                controlId: string;
                cron: string;
                overridden: boolean;
              }[];
              integrations: {
                id: string;
                controls: string[];
              }[];
              requirements: {
                logRetentionDays: number;
                logRetentionClasses: {
                  class: string;
                  pattern: string;
                  days: number;
                }[];
                productionCorsOrigins: string[];
                publicRoutes: string[];
                temporaryPrefix: string;
                redactionFunction: string;
                redactionAfterDays: number;
                whatsappSecretPattern: string;
                legacyEnvPatterns: string[];
                conversationTablePattern: string;
                temporaryMaxExpireDays: number;
                tlsMinDaysToExpiry: number;
                scanReports: {
                  /** @enum {string} */
                  kind: 'sast' | 'dependency-audit' | 'pentest';
                  maxAgeDays: number;
                }[];
                runbooks: string[];
                runbookMaxAgeDays: number;
                accessReviewMaxAgeDays: number;
                configRecorderMaxSilenceHours: number;
                exceptionMaxDays: {
                  critical: number;
                  high: number;
                  medium: number;
                  low: number;
                };
                exceptionWarnDays: number;
              };
              packs: {
                organisation: string;
                google: {
                  privacyPolicyUrl: string | null;
                  scopes: {
                    scope: string;
                    justification: string;
                  }[];
                };
              };
              runTimeoutMs: number;
              retention: {
                decisionDays: number;
                revealDays: number;
                evidenceDays: number;
              };
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/controls/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One control: definition, current status, last run with its findings. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              commitment: string;
              frameworks: string[];
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @description cron pattern in force */
              schedule: string;
              freshFor: string;
              remediation: string;
              /** @enum {string} */
              status: 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale' | 'never_run';
              /** @description the latest finished run (the one that finished last) */
              lastRun: {
                id: string;
                controlId: string;
                /** @enum {string} */
                trigger: 'schedule' | 'manual' | 'startup';
                scheduledFor: string | null;
                replica: string;
                /**
                 * @description `abandoned`: the replica running it stopped renewing its lease (it died); the control runs again at its next tick
                 * @enum {string}
                 */
                status: 'running' | 'pass' | 'fail' | 'error' | 'not_applicable' | 'abandoned';
                startedAt: string;
                finishedAt: string | null;
                durationMs: number | null;
                summary: string | null;
                findings: {
                  resourceId: string;
                  resourceType?: string;
                  message: string;
                  /**
                   * @description only on findings that are not failures
                   * @constant
                   */
                  severity?: 'info';
                }[];
                evidenceSeq: number | null;
                requestedBy: string | null;
              } | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such control */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/controls/{id}/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Run history of one control, newest first (cursor: `before` = the last run id of the previous page). */
    get: {
      parameters: {
        query?: {
          limit?: number;
          before?: string;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              runs: {
                id: string;
                controlId: string;
                /** @enum {string} */
                trigger: 'schedule' | 'manual' | 'startup';
                scheduledFor: string | null;
                replica: string;
                /**
                 * @description `abandoned`: the replica running it stopped renewing its lease (it died); the control runs again at its next tick
                 * @enum {string}
                 */
                status: 'running' | 'pass' | 'fail' | 'error' | 'not_applicable' | 'abandoned';
                startedAt: string;
                finishedAt: string | null;
                durationMs: number | null;
                summary: string | null;
                findings: {
                  resourceId: string;
                  resourceType?: string;
                  message: string;
                  /**
                   * @description only on findings that are not failures
                   * @constant
                   */
                  severity?: 'info';
                }[];
                evidenceSeq: number | null;
                requestedBy: string | null;
              }[];
              /** @description `before` for the next page; null on the last */
              next: string | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such control */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/controls/{id}/runs/{runId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One run with the evidence record it appended (hash-chained). */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
          runId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              controlId: string;
              /** @enum {string} */
              trigger: 'schedule' | 'manual' | 'startup';
              scheduledFor: string | null;
              replica: string;
              /**
               * @description `abandoned`: the replica running it stopped renewing its lease (it died); the control runs again at its next tick
               * @enum {string}
               */
              status: 'running' | 'pass' | 'fail' | 'error' | 'not_applicable' | 'abandoned';
              startedAt: string;
              finishedAt: string | null;
              durationMs: number | null;
              summary: string | null;
              findings: {
                resourceId: string;
                resourceType?: string;
                message: string;
                /**
                 * @description only on findings that are not failures
                 * @constant
                 */
                severity?: 'info';
              }[];
              evidenceSeq: number | null;
              requestedBy: string | null;
              evidence: {
                seq: number;
                prevHash: string;
                hash: string;
                collectedAt: string;
                controlId: string;
                source: string;
                payload: unknown;
              } | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such run */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/controls/run': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Runs controls now (all, or the listed ids) and returns their runs; readiness is updated after. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            controls?: string[];
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              runs: {
                id: string;
                controlId: string;
                /** @enum {string} */
                trigger: 'schedule' | 'manual' | 'startup';
                scheduledFor: string | null;
                replica: string;
                /**
                 * @description `abandoned`: the replica running it stopped renewing its lease (it died); the control runs again at its next tick
                 * @enum {string}
                 */
                status: 'running' | 'pass' | 'fail' | 'error' | 'not_applicable' | 'abandoned';
                startedAt: string;
                finishedAt: string | null;
                durationMs: number | null;
                summary: string | null;
                findings: {
                  resourceId: string;
                  resourceType?: string;
                  message: string;
                  /**
                   * @description only on findings that are not failures
                   * @constant
                   */
                  severity?: 'info';
                }[];
                evidenceSeq: number | null;
                requestedBy: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/integrations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness of each configured integration: ready, and what blocks it (controls not passing or stale, exceptions in force). */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              integrations: {
                integrationId: string;
                ready: boolean;
                controls: {
                  controlId: string;
                  /** @enum {string} */
                  status: 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale' | 'never_run' | 'unknown_control';
                  satisfied: boolean;
                  exception?: {
                    id: string;
                    approvedBy: string;
                    reason: string;
                    expiresAt: string;
                  };
                  lastRunAt?: string;
                }[];
                blockers: string[];
                /** @description ready only because approved exceptions cover controls that do not pass */
                byException: boolean;
              }[];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/exceptions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The exception register: who requested and who approved, why, which ticket, from and until when, and the state (requested, approved, rejected, expired, revoked); `all=true` includes those not in force. */
    get: {
      parameters: {
        query?: {
          all?: 'true' | 'false';
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              exceptions: {
                id: string;
                controlId: string;
                /** @description null: every integration that needs the control */
                integrationId: string | null;
                reason: string;
                /**
                 * @description requested → approved or rejected by another person; then revoked or expired. Only approved counts for readiness.
                 * @enum {string}
                 */
                state: 'requested' | 'approved' | 'rejected' | 'expired' | 'revoked';
                /** @description state = approved: counts for readiness now */
                active: boolean;
                /** @description approved and expiring within requirements.exceptionWarnDays */
                expiresSoon: boolean;
                /** @description null on exceptions recorded before requests and approvals were separate */
                ticket: string | null;
                /** @description null on exceptions recorded before requests and approvals were separate */
                requestedBy: string | null;
                /** @description the requester as the four-eyes rule compares people: key:<api key id> or user:<subject> */
                requestedById: string | null;
                approvedBy: string | null;
                approvedById: string | null;
                /** @description when it came into force */
                approvedAt: string | null;
                rejectedBy: string | null;
                rejectedAt: string | null;
                rejectionReason: string | null;
                /** @description when it was requested */
                createdAt: string;
                expiresAt: string;
                revokedAt: string | null;
                revokedBy: string | null;
              }[];
              /** @description requirements.exceptionMaxDays (the longest an exception may run, by its control's severity) and exceptionWarnDays */
              limits: {
                maxDays: {
                  critical: number;
                  high: number;
                  medium: number;
                  low: number;
                };
                warnDays: number;
              };
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Requests an exception (with a ticket): it counts for nothing until another person approves it. At most requirements.exceptionMaxDays for the control's severity (critical 14, high 30, medium 90, low 180 days by default). */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            controlId: string;
            integrationId?: string;
            reason: string;
            ticket: string;
            /** Format: date-time */
            expiresAt: string;
          };
        };
      };
      responses: {
        /** @description requested */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              controlId: string;
              /** @description null: every integration that needs the control */
              integrationId: string | null;
              reason: string;
              /**
               * @description requested → approved or rejected by another person; then revoked or expired. Only approved counts for readiness.
               * @enum {string}
               */
              state: 'requested' | 'approved' | 'rejected' | 'expired' | 'revoked';
              /** @description state = approved: counts for readiness now */
              active: boolean;
              /** @description approved and expiring within requirements.exceptionWarnDays */
              expiresSoon: boolean;
              /** @description null on exceptions recorded before requests and approvals were separate */
              ticket: string | null;
              /** @description null on exceptions recorded before requests and approvals were separate */
              requestedBy: string | null;
              /** @description the requester as the four-eyes rule compares people: key:<api key id> or user:<subject> */
              requestedById: string | null;
              approvedBy: string | null;
              approvedById: string | null;
              /** @description when it came into force */
              approvedAt: string | null;
              rejectedBy: string | null;
              rejectedAt: string | null;
              rejectionReason: string | null;
              /** @description when it was requested */
              createdAt: string;
              expiresAt: string;
              revokedAt: string | null;
              revokedBy: string | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such control */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/exceptions/{id}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Approves a requested exception: the control counts as satisfied for readiness until it expires. Not by its requester (403). */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              controlId: string;
              /** @description null: every integration that needs the control */
              integrationId: string | null;
              reason: string;
              /**
               * @description requested → approved or rejected by another person; then revoked or expired. Only approved counts for readiness.
               * @enum {string}
               */
              state: 'requested' | 'approved' | 'rejected' | 'expired' | 'revoked';
              /** @description state = approved: counts for readiness now */
              active: boolean;
              /** @description approved and expiring within requirements.exceptionWarnDays */
              expiresSoon: boolean;
              /** @description null on exceptions recorded before requests and approvals were separate */
              ticket: string | null;
              /** @description null on exceptions recorded before requests and approvals were separate */
              requestedBy: string | null;
              /** @description the requester as the four-eyes rule compares people: key:<api key id> or user:<subject> */
              requestedById: string | null;
              approvedBy: string | null;
              approvedById: string | null;
              /** @description when it came into force */
              approvedAt: string | null;
              rejectedBy: string | null;
              rejectedAt: string | null;
              rejectionReason: string | null;
              /** @description when it was requested */
              createdAt: string;
              expiresAt: string;
              revokedAt: string | null;
              revokedBy: string | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such exception */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description not a pending request (already decided, revoked or expired) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/exceptions/{id}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Rejects a requested exception, with the reason. Not by its requester (403: a requester withdraws with DELETE). */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              controlId: string;
              /** @description null: every integration that needs the control */
              integrationId: string | null;
              reason: string;
              /**
               * @description requested → approved or rejected by another person; then revoked or expired. Only approved counts for readiness.
               * @enum {string}
               */
              state: 'requested' | 'approved' | 'rejected' | 'expired' | 'revoked';
              /** @description state = approved: counts for readiness now */
              active: boolean;
              /** @description approved and expiring within requirements.exceptionWarnDays */
              expiresSoon: boolean;
              /** @description null on exceptions recorded before requests and approvals were separate */
              ticket: string | null;
              /** @description null on exceptions recorded before requests and approvals were separate */
              requestedBy: string | null;
              /** @description the requester as the four-eyes rule compares people: key:<api key id> or user:<subject> */
              requestedById: string | null;
              approvedBy: string | null;
              approvedById: string | null;
              /** @description when it came into force */
              approvedAt: string | null;
              rejectedBy: string | null;
              rejectedAt: string | null;
              rejectionReason: string | null;
              /** @description when it was requested */
              createdAt: string;
              expiresAt: string;
              revokedAt: string | null;
              revokedBy: string | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such exception */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description not a pending request (already decided, revoked or expired) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/exceptions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revokes an approved exception at once, or withdraws a request. */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              revoked: string;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no active exception with this id */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/deployments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Records a deployment of the governed platform: the CloudWatch PII scan verdict restarts from it, and the scan runs now. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            version: string;
            /** Format: date-time */
            deployedAt?: string;
          };
        };
      };
      responses: {
        /** @description recorded */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              deployment: {
                id: string;
                deployedAt: string;
                version: string;
                recordedBy: string;
              };
              runs: {
                id: string;
                controlId: string;
                /** @enum {string} */
                trigger: 'schedule' | 'manual' | 'startup';
                scheduledFor: string | null;
                replica: string;
                /**
                 * @description `abandoned`: the replica running it stopped renewing its lease (it died); the control runs again at its next tick
                 * @enum {string}
                 */
                status: 'running' | 'pass' | 'fail' | 'error' | 'not_applicable' | 'abandoned';
                startedAt: string;
                finishedAt: string | null;
                durationMs: number | null;
                summary: string | null;
                findings: {
                  resourceId: string;
                  resourceType?: string;
                  message: string;
                  /**
                   * @description only on findings that are not failures
                   * @constant
                   */
                  severity?: 'info';
                }[];
                evidenceSeq: number | null;
                requestedBy: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/attestations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Signed document attestations (runbooks): who, which document digest, when, until when. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              attestations: {
                id: string;
                documentId: string;
                title: string;
                kid: string;
                attestedBy: string;
                attestedAt: string;
                expiresAt: string;
                digest: string;
                receivedAt: string;
                receivedBy: string;
              }[];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Records a signed attestation (compact JWS, EdDSA, by a key trusted in the control settings). */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            jws: string;
          };
        };
      };
      responses: {
        /** @description recorded */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              documentId: string;
              title: string;
              kid: string;
              attestedBy: string;
              attestedAt: string;
              expiresAt: string;
              digest: string;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Incidents active in the period (detected by its end, not closed before its start; default: all), newest first; with clocks, checklist and evidence. */
    get: {
      parameters: {
        query?: {
          from?: string;
          to?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              incidents: {
                id: string;
                title: string;
                /** @enum {string} */
                severity: 'critical' | 'high' | 'medium' | 'low';
                /** @enum {string} */
                status: 'open' | 'contained' | 'closed';
                detectedAt: string;
                openedAt: string;
                openedBy: string;
                integrations: string[];
                dataCategories: string[];
                tenants: {
                  /** @enum {string} */
                  type: 'Agency' | 'Client';
                  id: string;
                }[];
                containedAt: string | null;
                closedAt: string | null;
                closedBy: string | null;
                review: {
                  summary: string;
                  lessons: string;
                  by: string;
                  at: string;
                } | null;
                steps: {
                  step: number;
                  title: string;
                  doneAt: string | null;
                  doneBy: string | null;
                  note: string | null;
                }[];
                clocks: {
                  party: string;
                  hours: number;
                  dueAt: string;
                  notifiedAt: string | null;
                  notifiedBy: string | null;
                  reference: string | null;
                  /**
                   * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                   * @enum {string}
                   */
                  state: 'running' | 'met' | 'late' | 'overdue';
                }[];
                rotations: {
                  id: string;
                  credential: string;
                  createdAt: string;
                  createdBy: string;
                  doneAt: string | null;
                  doneBy: string | null;
                }[];
                evidence: {
                  id: string;
                  /** @enum {string} */
                  reason: 'open' | 'request';
                  createdAt: string;
                  createdBy: string;
                  windowFrom: string;
                  windowTo: string;
                  /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                  sha256: string;
                  evidenceSeq: number;
                  evidenceHash: string;
                  counts: {
                    decisions: number;
                    piiReveals: number;
                    controlRuns: number;
                  };
                }[];
                /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
                notifications: {
                  id: string;
                  event: string;
                  createdAt: string;
                  attempts: number;
                  lastStatus: number | null;
                  lastError: string | null;
                  lastAttemptAt: string | null;
                  sentAt: string | null;
                  gaveUpAt: string | null;
                }[];
              }[];
              /** @description whether signed notices go to a configured endpoint */
              webhookConfigured: boolean;
              /** @description the configured clocks (party → hours); Amazon is always 24 */
              clocks: {
                [key: string]: number;
              };
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Opens an incident: the §25 checklist (step 1 done), a notification clock per party (Amazon 24 h from detection when Amazon Information is involved), rotation tasks, an evidence snapshot in the chain, and the signed "opened" webhook. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            title: string;
            /** @enum {string} */
            severity: 'critical' | 'high' | 'medium' | 'low';
            /**
             * Format: date-time
             * @description when the event was detected; the clocks run from here
             */
            detectedAt: string;
            /**
             * @description affected integration ids, e.g. amazon_spapi
             * @default []
             */
            integrations?: string[];
            /**
             * @description affected data categories, e.g. amazon-buyer-pii
             * @default []
             */
            dataCategories?: string[];
            /** @default [] */
            tenants?: {
              /** @enum {string} */
              type: 'Agency' | 'Client';
              id: string;
            }[];
            /**
             * @description credentials to rotate: one rotation task each
             * @default []
             */
            credentials?: string[];
          };
        };
      };
      responses: {
        /** @description opened */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One incident. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}/steps/{step}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Marks a checklist step done (who and when recorded). Step 4 needs every rotation task done, step 7 every clock notified, step 10 the review. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
          step: number;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            note?: string;
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description already done, closed, or a precondition not met */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}/notifications/{party}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Records that a party (amazon, customers, google, ...) was notified: when, by whom, and the reference of the notice. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
          party: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description ticket, case or message id of the notice (never the notice itself) */
            reference: string;
            /**
             * Format: date-time
             * @description default: now
             */
            notifiedAt?: string;
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident or no clock for this party */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description already notified */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}/rotations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Adds a credential-rotation task. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            credential: string;
          };
        };
      };
      responses: {
        /** @description added */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description already a task for this credential, or closed */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}/rotations/{rotationId}/done': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Records a credential as rotated (who and when). */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
          rotationId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident or task */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description already done, or closed */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}/evidence': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Preserves evidence now: a snapshot of the decision log, the PII-reveal audit and the control runs from before detection to now (counts and ids, no raw PII), its SHA-256 appended to the evidence chain. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description preserved */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}/review': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Records the post-incident review (summary and lessons; step 10). Required before closing. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            summary: string;
            lessons: string;
          };
        };
      };
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description closed */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/incidents/{id}/close': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Closes an incident; refused (409) without a post-incident review. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              title: string;
              /** @enum {string} */
              severity: 'critical' | 'high' | 'medium' | 'low';
              /** @enum {string} */
              status: 'open' | 'contained' | 'closed';
              detectedAt: string;
              openedAt: string;
              openedBy: string;
              integrations: string[];
              dataCategories: string[];
              tenants: {
                /** @enum {string} */
                type: 'Agency' | 'Client';
                id: string;
              }[];
              containedAt: string | null;
              closedAt: string | null;
              closedBy: string | null;
              review: {
                summary: string;
                lessons: string;
                by: string;
                at: string;
              } | null;
              steps: {
                step: number;
                title: string;
                doneAt: string | null;
                doneBy: string | null;
                note: string | null;
              }[];
              clocks: {
                party: string;
                hours: number;
                dueAt: string;
                notifiedAt: string | null;
                notifiedBy: string | null;
                reference: string | null;
                /**
                 * @description running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed
                 * @enum {string}
                 */
                state: 'running' | 'met' | 'late' | 'overdue';
              }[];
              rotations: {
                id: string;
                credential: string;
                createdAt: string;
                createdBy: string;
                doneAt: string | null;
                doneBy: string | null;
              }[];
              evidence: {
                id: string;
                /** @enum {string} */
                reason: 'open' | 'request';
                createdAt: string;
                createdBy: string;
                windowFrom: string;
                windowTo: string;
                /** @description SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain */
                sha256: string;
                evidenceSeq: number;
                evidenceHash: string;
                counts: {
                  decisions: number;
                  piiReveals: number;
                  controlRuns: number;
                };
              }[];
              /** @description signed webhooks sent about the incident (opened, a clock due), with their attempts */
              notifications: {
                id: string;
                event: string;
                createdAt: string;
                attempts: number;
                lastStatus: number | null;
                lastError: string | null;
                lastAttemptAt: string | null;
                sentAt: string | null;
                gaveUpAt: string | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such incident */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no post-incident review, or already closed */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/packs/public-key': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The public key new packs are signed with (PEM; Ed25519, or ECDSA P-256 with a KMS key): give it to `tenet verify --public-key`. Older keys: GET /v1/packs/public-keys. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/x-pem-file': string;
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/packs/public-keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every public key packs and evidence checkpoints were signed with: the current one and those retired by a rotation, each with its key id (manifest.json `signingKeyId`). Save the answer to a file and give it to `tenet verify --public-key`: the key the pack names is picked from it. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description key id of the key new packs and checkpoints are signed with */
              current: string;
              keys: {
                keyId: string;
                /** @enum {string} */
                algorithm: 'Ed25519' | 'ECDSA_P256_SHA256';
                publicKeyPem: string;
                /** @enum {string} */
                status: 'current' | 'retired';
                retiredAt?: string;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/packs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Packs built, newest first: profile, period, who built it, status (ready / refused with the reason). */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              packs: components['schemas']['Pack'][];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Builds a review pack (sp-api or google) for a period (default: the 90 days before `to`, `to` default now). A pack that would hold raw PII is refused (422). With `wait: false` the answer is 202 with the pack id at once; follow the build with GET /v1/packs/{id}. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            profile: 'sp-api' | 'google';
            /** Format: date-time */
            from?: string;
            /** Format: date-time */
            to?: string;
            /**
             * @description false: answer 202 at once, the build goes on in the background
             * @default true
             */
            wait?: boolean;
            /**
             * @description true: the internal edition, with an appendix of remediation notes (not for a reviewer); default the reviewer’s edition
             * @default false
             */
            internal?: boolean;
          };
        };
      };
      responses: {
        /** @description built */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json':
              | components['schemas']['Pack']
              | {
                  id: string;
                  /** @constant */
                  status: 'building';
                };
          };
        };
        /** @description building (wait: false) */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description refused: the pack would hold raw PII */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/packs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One pack, with `progress` (phase, done, total) while it is building on this replica. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: string;
              profile: string;
              periodFrom: string;
              periodTo: string;
              createdAt: string;
              createdBy: string;
              /** @description building, ready, refused or failed */
              status: string;
              error: string | null;
              size: number | null;
              sha256: string | null;
              /** @description the internal edition (remediation notes: not for a reviewer), as its signed manifest says; false until it is ready */
              internal: boolean;
              /** @description Where a build running on this replica is; null when it is not building (here). */
              progress: {
                phase: string;
                done: number;
                total: number | null;
              } | null;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such pack */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/packs/{id}/download': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The pack ZIP. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/zip': string;
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such pack, or nothing to download */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/access-review': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Who can reveal buyer PII, export, or read credentials, on which clients: each pair asked of the platform PDP (with MFA) over the stored entities, as the sp-api pack shows it; with the within-agency flags (agency users who may reveal PII on every client of their agency) and the grants a certification decides. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              generatedAt: string;
              rows: {
                user: string;
                roles: string[];
                agency: string | null;
                /** @enum {string} */
                action: 'reveal_buyer_pii' | 'export' | 'read_credential';
                clients: string[];
              }[];
              /** @description (user, action, client) grants on a client of another agency than the user */
              crossAgency: number;
              /** @description within-agency least privilege: agency-level users (bound to no one client) who may reveal buyer PII on every client of their agency that holds orders (`clients`: how many) */
              agencyWide: {
                user: string;
                roles: string[];
                agency: string;
                clients: number;
              }[];
              /** @description users reviewed */
              users: number;
              /** @description clients reviewed */
              clients: number;
              /** @description every (user, action, client) grant: what a certification decides, each one */
              grants: {
                user: string;
                /** @enum {string} */
                action: 'reveal_buyer_pii' | 'export' | 'read_credential';
                client: string;
              }[];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/access-review/certifications': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Signed certifications of the access review, newest first (up to 50). */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              certifications: {
                id: string;
                certifiedAt: string;
                certifiedBy: string;
                grants: number;
                revoked: number;
                sha256: string;
                evidenceSeq: number;
                intact: boolean;
              }[];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Certifies the current access review: a decision (keep or revoke) for every grant of GET /v1/access-review, a reason for each revoke, signed by the caller — the SHA-256 of the certification is recorded in the evidence chain with the caller's identity. A grant the review does not hold, a grant left undecided or decided twice, or a revoke without a reason is a 400. Revokes are "to revoke" items: the platform's administrators remove the access, and the next review shows it gone. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            decisions: {
              user: string;
              /** @enum {string} */
              action: 'reveal_buyer_pii' | 'export' | 'read_credential';
              client: string;
              /** @enum {string} */
              decision: 'keep' | 'revoke';
              reason?: string | null;
            }[];
            note?: string | null;
          };
        };
      };
      responses: {
        /** @description certified and signed */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['AccessCertification'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/access-review/certifications/latest': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The latest certification whole, the diff against the previous one (grants added, removed, decisions changed), what became of its revokes, and the grants of the current review it does not cover. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description null when the access review was never certified */
              certification: components['schemas']['AccessCertification'] | null;
              previous: {
                id: string;
                certifiedAt: string;
                certifiedBy: string;
              } | null;
              /** @description against the previous certification; null when there is none */
              diff: {
                added: {
                  user: string;
                  /** @enum {string} */
                  action: 'reveal_buyer_pii' | 'export' | 'read_credential';
                  client: string;
                }[];
                removed: {
                  user: string;
                  /** @enum {string} */
                  action: 'reveal_buyer_pii' | 'export' | 'read_credential';
                  client: string;
                }[];
                changed: {
                  user: string;
                  /** @enum {string} */
                  action: 'reveal_buyer_pii' | 'export' | 'read_credential';
                  client: string;
                  /** @enum {string} */
                  from: 'keep' | 'revoke';
                  /** @enum {string} */
                  to: 'keep' | 'revoke';
                  reason: string | null;
                }[];
              } | null;
              /** @description the revokes of the latest certification: to be removed in the platform; gone = no longer in the current review */
              revocations: {
                user: string;
                /** @enum {string} */
                action: 'reveal_buyer_pii' | 'export' | 'read_credential';
                client: string;
                reason: string | null;
                gone: boolean;
              }[];
              /** @description grants of the current review the latest certification did not decide */
              uncovered: {
                user: string;
                /** @enum {string} */
                action: 'reveal_buyer_pii' | 'export' | 'read_credential';
                client: string;
              }[];
            };
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/access-review/certifications/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One certification whole. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['AccessCertification'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/programmes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Each compliance programme (Amazon SP-API DPP, Google Limited Use and CASA, the security Addendum) with its requirements counted per status over the period (default the last 90 days). */
    get: {
      parameters: {
        query?: {
          /** @description default: 90 days before `to` */
          from?: string;
          /** @description default: now */
          to?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              period: {
                from: string;
                to: string;
              };
              programmes: {
                /** @enum {string} */
                id: 'amazon-spapi-dpp' | 'google-limited-use-casa' | 'security-addendum';
                title: string;
                /** @description the document the requirements come from */
                source: string;
                /** @description requirements per status */
                summary: {
                  total: number;
                  met: number;
                  met_by_exception: number;
                  partial: number;
                  not_met: number;
                  not_assessed: number;
                };
                /** @description controls on its list to fix */
                fixNext: number;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/programmes/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One programme's scorecard as of the period's end: each requirement's status (met, met by exception, partial, not met, not assessed) and answer, and what to fix next. */
    get: {
      parameters: {
        query?: {
          /** @description default: 90 days before `to` */
          from?: string;
          /** @description default: now */
          to?: string;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ProgrammeScorecard'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description no such programme */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/evidence/scan-reports': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Imported scan reports, newest scan first, with their counts (open findings per severity, suppressed, fixed). */
    get: {
      parameters: {
        query?: {
          kind?: 'sast' | 'dependency-audit' | 'pentest';
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              reports: {
                id: string;
                /** @enum {string} */
                kind: 'sast' | 'dependency-audit' | 'pentest';
                /** @enum {string} */
                format: 'sarif' | 'npm-audit' | 'summary';
                tool: string;
                toolVersion?: string;
                scannedAt: string;
                importedAt: string;
                importedBy: string;
                /** @description sha256 of the report as uploaded (the text, byte for byte, when `report` was a string) */
                sha256: string;
                /** @description bytes hashed */
                size: number;
                /** @description the evidence record the import appended */
                evidenceSeq: number;
                /** @description open findings per severity (not suppressed, not fixed) */
                open: {
                  critical: number;
                  high: number;
                  medium: number;
                  low: number;
                  unrated: number;
                };
                suppressed: number;
                fixed: number;
                /** @description SARIF: open results per level */
                levels: {
                  error: number;
                  warning: number;
                  note: number;
                  none: number;
                } | null;
                /** @description open results per rule (SARIF) or finding id (summary), at most 100 */
                rules: {
                  id: string;
                  /** @enum {string} */
                  severity: 'critical' | 'high' | 'medium' | 'low' | 'unrated';
                  open: number;
                }[];
                /** @description npm audit: vulnerable packages with their GHSA ids, at most 200 */
                packages: {
                  name: string;
                  /** @enum {string} */
                  severity: 'critical' | 'high' | 'medium' | 'low' | 'unrated';
                  direct: boolean;
                  advisories: string[];
                }[];
                /** @description npm audit: dependencies audited */
                dependencies: number | null;
              }[];
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Imports a scan report as evidence: SARIF 2.1.0 (sast, dependency-audit, pentest), `npm audit --json` of npm 7+ (dependency-audit) or the summary format (pentest). Kept as counts, rule ids and package names — never messages or code; hashed and appended to the evidence chain. The same report again answers 200 with the first import. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            kind: 'sast' | 'dependency-audit' | 'pentest';
            /** @enum {string} */
            format: 'sarif' | 'npm-audit' | 'summary';
            /** @description the report: its file's text (hashed byte for byte) or its JSON */
            report:
              | string
              | {
                  [key: string]: unknown;
                };
            /**
             * Format: date-time
             * @description when the scan ran; default: the SARIF invocation end time, else now
             */
            scannedAt?: string;
          };
        };
      };
      responses: {
        /** @description imported */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              report: {
                id: string;
                /** @enum {string} */
                kind: 'sast' | 'dependency-audit' | 'pentest';
                /** @enum {string} */
                format: 'sarif' | 'npm-audit' | 'summary';
                tool: string;
                toolVersion?: string;
                scannedAt: string;
                importedAt: string;
                importedBy: string;
                /** @description sha256 of the report as uploaded (the text, byte for byte, when `report` was a string) */
                sha256: string;
                /** @description bytes hashed */
                size: number;
                /** @description the evidence record the import appended */
                evidenceSeq: number;
                /** @description open findings per severity (not suppressed, not fixed) */
                open: {
                  critical: number;
                  high: number;
                  medium: number;
                  low: number;
                  unrated: number;
                };
                suppressed: number;
                fixed: number;
                /** @description SARIF: open results per level */
                levels: {
                  error: number;
                  warning: number;
                  note: number;
                  none: number;
                } | null;
                /** @description open results per rule (SARIF) or finding id (summary), at most 100 */
                rules: {
                  id: string;
                  /** @enum {string} */
                  severity: 'critical' | 'high' | 'medium' | 'low' | 'unrated';
                  open: number;
                }[];
                /** @description npm audit: vulnerable packages with their GHSA ids, at most 200 */
                packages: {
                  name: string;
                  /** @enum {string} */
                  severity: 'critical' | 'high' | 'medium' | 'low' | 'unrated';
                  direct: boolean;
                  advisories: string[];
                }[];
                /** @description npm audit: dependencies audited */
                dependencies: number | null;
              };
              /** @description this report (same kind and hash) was imported before */
              duplicate: boolean;
            };
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/session/options': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** How to sign in to the console: demo users (with --demo) and the OIDC provider, if configured. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              demo: boolean;
              demoUsers: {
                /** @enum {string} */
                role: 'admin' | 'security_officer' | 'auditor';
                name: string;
                description: string;
              }[];
              oidc: {
                issuer: string;
                clientId: string;
                roleClaim: string;
                scopes: string;
                authorizationEndpoint: string | null;
              } | null;
              session: components['schemas']['Session'] | null;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/session': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The caller (cookie session, OIDC token or API key), its CSRF token and what it may do, area by area. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OK */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Session'];
          };
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Console sign-in: `{demoRole}` (only with --demo), `{code, codeVerifier, redirectUri}` (the OIDC authorization code flow with PKCE: Tenet trades the code for an ID token at the provider) or `{idToken}` (an ID token from the configured provider). Sets the httpOnly `tenet_session` cookie (8 h); unsafe requests with it need `x-csrf-token: <csrfToken>`. */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            demoRole?: 'admin' | 'security_officer' | 'auditor';
            idToken?: string;
            code?: string;
            codeVerifier?: string;
            /** Format: uri */
            redirectUri?: string;
          };
        };
      };
      responses: {
        /** @description Signed in */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Session'];
          };
        };
        /** @description Invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The ID token was refused */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Demo sign-in is off, OIDC is not configured, or the identity has no Tenet role */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    /** Signs out: deletes the session and clears the cookie (with a bearer token there is nothing to end). */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Signed out */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description No or unknown API key */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description The key’s role may not call this route */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    AuthorizeRequest: {
      principal: {
        type: string;
        id: string;
      };
      action: {
        /** @description An action type the platform schema declares (`Action`, or `NS::Action` in a namespaced schema), or absent for the schema's own; any other type is refused */
        type?: string;
        id: string;
      };
      resource: {
        type: string;
        id: string;
      };
      /** @description Cedar context; keys of at most 200 characters, at most 16384 characters as JSON */
      context?: {
        [key: string]: unknown;
      };
      /** @description Entities for this request only, added to the stored ones: never one the store holds, never of a type the store owns (Agency, Client, User, Role, Integration, Service); else 400 entity_conflict */
      entities?: {
        uid: {
          type: string;
          id: string;
        };
        /** @default {} */
        attrs: {
          [key: string]: unknown;
        };
        /** @default [] */
        parents: {
          type: string;
          id: string;
        }[];
        /** @description Cedar entity tags: tag name → Cedar JSON value, read by policies with hasTag/getTag. Only for entity types whose schema declares tags (`entity T tags String;`), with values of the declared type; any other tag is refused as an undeclared attribute is. Absent when the entity has none. */
        tags?: {
          [key: string]: unknown;
        };
      }[];
    };
    PlanRequest: {
      principal: {
        type: string;
        id: string;
      };
      action: {
        /** @description An action type the platform schema declares (`Action`, or `NS::Action` in a namespaced schema), or absent for the schema's own; any other type is refused */
        type?: string;
        id: string;
      };
      /** @description The type of the resources to filter (e.g. `Order`) */
      resourceType: string;
      /** @description Cedar context; keys of at most 200 characters, at most 16384 characters as JSON */
      context?: {
        [key: string]: unknown;
      };
    };
    PolicyLinkRequest: {
      /** @enum {string} */
      name: 'platform' | 'tenet';
      templateId: string;
      /** @description The link’s id (letters, digits and . _ : @ ~ -). Default: `template:principal id:resource id`, each part kept to those characters, with a short hash of the exact values appended when any part had others. */
      newId?: string;
      /** @description The value of each of the template’s slots (?principal, ?resource): exactly those it has */
      values: {
        principal?: {
          type: string;
          id: string;
        };
        resource?: {
          type: string;
          id: string;
        };
      };
    };
    PolicyTryRequest: {
      principal: {
        type: string;
        id: string;
      };
      action: {
        /** @description An action type the platform schema declares (`Action`, or `NS::Action` in a namespaced schema), or absent for the schema's own; any other type is refused */
        type?: string;
        id: string;
      };
      resource: {
        type: string;
        id: string;
      };
      /** @description Cedar context; keys of at most 200 characters, at most 16384 characters as JSON */
      context?: {
        [key: string]: unknown;
      };
      /** @description Entities for this request only, added to the stored ones: never one the store holds, never of a type the store owns (Agency, Client, User, Role, Integration, Service); else 400 entity_conflict */
      entities?: {
        uid: {
          type: string;
          id: string;
        };
        /** @default {} */
        attrs: {
          [key: string]: unknown;
        };
        /** @default [] */
        parents: {
          type: string;
          id: string;
        }[];
        /** @description Cedar entity tags: tag name → Cedar JSON value, read by policies with hasTag/getTag. Only for entity types whose schema declares tags (`entity T tags String;`), with values of the declared type; any other tag is refused as an undeclared attribute is. Absent when the entity has none. */
        tags?: {
          [key: string]: unknown;
        };
      }[];
      /** @description A draft of the platform policies; default: the active set */
      policies?: string;
    };
    Error: {
      error: {
        code: string;
        message: string;
        requestId: string;
        details?: unknown;
      };
    };
    Decision: {
      /** @enum {string} */
      decision: 'allow' | 'deny';
      /** @description The @id of each policy that determined the decision */
      reasons: string[];
      errors: string[];
      decisionId: string;
      policyHash: string;
      /** @description On a deny only, when there is something to say: the principal or resource is neither stored nor among the request entities (`principal User::"nobody" is not stored`) */
      warnings?: string[];
    };
    StoredEntity: {
      uid: {
        type: string;
        id: string;
      };
      attrs: {
        [key: string]: unknown;
      };
      parents: {
        type: string;
        id: string;
      }[];
      tags?: {
        [key: string]: unknown;
      };
    };
    Plan: {
      /** @enum {string} */
      kind: 'always_allowed' | 'always_denied' | 'conditional';
      /** @description Present when `kind` is `conditional`: the resources it holds for are allowed */
      condition?: components['schemas']['PlanCondition'];
      errors: string[];
      policyHash: string;
    };
    /** @description A predicate over one resource: `eq` (attribute == value), `in` (attribute is one of values), `is_in_set` (value is an element of a set attribute), `id_in` (the resource is one of these ids), `has_ancestor` (resource in entity), `and`, `or`, `not`, `true`, `false`. Entity values are {type, id}. */
    PlanCondition:
      | {
          /** @constant */
          op: 'true';
        }
      | {
          /** @constant */
          op: 'false';
        }
      | {
          /** @constant */
          op: 'and';
          args: components['schemas']['PlanCondition'][];
        }
      | {
          /** @constant */
          op: 'or';
          args: components['schemas']['PlanCondition'][];
        }
      | {
          /** @constant */
          op: 'not';
          arg: components['schemas']['PlanCondition'];
        }
      | {
          /** @constant */
          op: 'eq';
          attribute: string;
          value: components['schemas']['PlanValue'];
        }
      | {
          /** @constant */
          op: 'in';
          attribute: string;
          values: components['schemas']['PlanValue'][];
        }
      | {
          /** @constant */
          op: 'is_in_set';
          attribute: string;
          value: components['schemas']['PlanValue'];
        }
      | {
          /** @constant */
          op: 'id_in';
          ids: string[];
        }
      | {
          /** @constant */
          op: 'has_ancestor';
          entity: {
            type: string;
            id: string;
          };
        };
    PlanValue:
      | string
      | number
      | boolean
      | {
          type: string;
          id: string;
        };
    PolicyVersion: {
      /** @enum {string} */
      name: 'platform' | 'tenet';
      version: number;
      hash: string;
      /** @enum {string} */
      status: 'active' | 'superseded' | 'rejected';
      createdAt: string;
      createdBy: string;
      comment: string | null;
    };
    PolicyCheckReport: {
      ok: boolean;
      /** @description absent when the text does not compile */
      hash?: string;
      validation: {
        ok: boolean;
        errors: string[];
        warnings: string[];
      };
      /** @description the decision tables, when the text validated */
      tables?: {
        passed: number;
        failed: {
          file: string;
          name: string;
          expected: string;
          actual: string;
          reasons: string[];
          errors: string[];
        }[];
      };
    };
    PolicyLink: {
      /** @enum {string} */
      name: 'platform' | 'tenet';
      /** @description The linked policy’s id: decisions name it in `reasons` */
      id: string;
      templateId: string;
      values: {
        principal?: {
          type: string;
          id: string;
        };
        resource?: {
          type: string;
          id: string;
        };
      };
      createdAt: string;
      createdBy: string;
    };
    PolicyTryResult: {
      /** @enum {string} */
      decision: 'allow' | 'deny';
      reasons: {
        id: string;
        /** @enum {string} */
        effect: 'permit' | 'forbid';
        /** @description The policy’s Cedar source */
        text: string;
      }[];
      errors: string[];
      diagnostics?: string;
      policyHash: string;
      draft: boolean;
    };
    LoggedDecision: {
      id: string;
      at: string;
      principal: {
        type: string;
        id: string;
      };
      action: string;
      resource: {
        type: string;
        id: string;
      };
      /** @enum {string} */
      decision: 'allow' | 'deny';
      reasons: string[];
      errors: string[];
      policyHash: string;
      entityVersion: string;
      latencyUs: number;
      contextKeys: string[];
      requestId: string | null;
      caller: string | null;
      /** @description the name of the API key that called, when the caller is a key (never the key itself) */
      callerName: string | null;
      /**
       * @description platform: asked of the platform policy set; tenet: one of Tenet’s own route checks
       * @enum {string}
       */
      set: 'platform' | 'tenet';
      /** @description entities the request supplied (added to the store’s for that decision only) */
      requestEntities: {
        type: string;
        id: string;
      }[];
    };
    PiiReveal: {
      id: string;
      decisionId: string;
      at: string;
      principal: {
        type: string;
        id: string;
      };
      resource: {
        type: string;
        id: string;
      };
      agency: string | null;
      client: string | null;
      /** @enum {string} */
      decision: 'allow' | 'deny';
      reasons: string[];
      purpose: string | null;
      caller: string | null;
      /** @description the name of the API key that called (never the key itself) */
      callerName: string | null;
    };
    ApiKeyInfo: {
      id: string;
      name: string;
      /** @enum {string} */
      role: 'admin' | 'security_officer' | 'auditor' | 'service';
      prefix: string;
      createdAt: string;
      createdBy: string | null;
      revokedAt: string | null;
      lastUsedAt: string | null;
    };
    Pack: {
      id: string;
      profile: string;
      periodFrom: string;
      periodTo: string;
      createdAt: string;
      createdBy: string;
      /** @description building, ready, refused or failed */
      status: string;
      error: string | null;
      size: number | null;
      sha256: string | null;
      /** @description the internal edition (remediation notes: not for a reviewer), as its signed manifest says; false until it is ready */
      internal: boolean;
    };
    AccessCertification: {
      id: string;
      certifiedAt: string;
      certifiedBy: string;
      reviewer: {
        id: string;
        name: string;
        via: string;
        role: string;
      };
      review: {
        users: number;
        clients: number;
        crossAgency: number;
        /** @description within-agency least privilege: agency-level users (bound to no one client) who may reveal buyer PII on every client of their agency that holds orders (`clients`: how many) */
        agencyWide: {
          user: string;
          roles: string[];
          agency: string;
          clients: number;
        }[];
      };
      decisions: {
        user: string;
        /** @enum {string} */
        action: 'reveal_buyer_pii' | 'export' | 'read_credential';
        client: string;
        /** @enum {string} */
        decision: 'keep' | 'revoke';
        reason: string | null;
      }[];
      note: string | null;
      /** @description SHA-256 (hex) over the canonical JSON of the certification (all fields above) */
      sha256: string;
      /** @description the evidence-chain record carrying the hash and the reviewer */
      evidenceSeq: number;
      /** @description false when the stored certification no longer hashes to sha256 */
      intact: boolean;
    };
    ProgrammeScorecard: {
      programme: {
        /** @enum {string} */
        id: 'amazon-spapi-dpp' | 'google-limited-use-casa' | 'security-addendum';
        title: string;
        /** @description the document the requirements come from */
        source: string;
      };
      period: {
        from: string;
        to: string;
      };
      /** @description requirements per status */
      summary: {
        total: number;
        met: number;
        met_by_exception: number;
        partial: number;
        not_met: number;
        not_assessed: number;
      };
      requirements: {
        /** @description in the source's own numbering: 1.2 (DPP), V14.5.3 (ASVS 4.0.3), 28.7 (Addendum) */
        id: string;
        /** @description framework reference <programme id>:<requirement id>, as controls list them */
        ref: string;
        title: string;
        source: string;
        question: string;
        /** @enum {string} */
        status: 'met' | 'met_by_exception' | 'partial' | 'not_met' | 'not_assessed';
        answer: string;
        /** @description stated plainly when the platform does not (or cannot be shown to) meet it */
        gap?: string;
        controls: {
          controlId: string;
          title: string;
          /** @enum {string} */
          status: 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale' | 'never_run' | 'unknown_control';
          exception?: {
            id: string;
            approvedBy: string;
            reason: string;
            expiresAt: string;
          };
        }[];
        attestations: {
          documentId: string;
          inForce: boolean;
        }[];
      }[];
      /** @description failing or unassessed controls behind requirements not met, worst severity first */
      fixNext: {
        controlId: string;
        title: string;
        /** @enum {string} */
        severity: 'critical' | 'high' | 'medium' | 'low';
        /** @enum {string} */
        status: 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale' | 'never_run';
        /** @enum {string} */
        why: 'failing' | 'not_assessed';
        remediation: string;
        /** @description the requirements (refs) it keeps from being met */
        requirements: string[];
      }[];
    };
    Session: {
      user: {
        id: string;
        name: string;
        /** @enum {string} */
        role: 'admin' | 'security_officer' | 'auditor' | 'service';
        /** @enum {string} */
        via: 'demo' | 'oidc' | 'api_key';
      };
      csrfToken: string | null;
      expiresAt: string | null;
      permissions: {
        [key: string]: string[];
      };
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
