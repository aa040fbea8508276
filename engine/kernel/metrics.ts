import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one Tenet process (a registry per app, so tests do not share counters). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    decisions: new Counter({
      name: 'tenet_decisions_total',
      help: 'Authorization decisions made, by policy set and decision',
      labelNames: ['policy_set', 'decision'] as const,
      registers: [registry],
    }),
    decisionLatency: new Histogram({
      name: 'tenet_decision_seconds',
      help: 'Time to make one decision in the PDP (slice + evaluation)',
      buckets: [0.00005, 0.0001, 0.0002, 0.0003, 0.0005, 0.001, 0.002, 0.005, 0.01],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'tenet_http_requests_total',
      help: 'HTTP requests by route and status class',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    decisionLogQuarantined: new Counter({
      name: 'tenet_decision_log_quarantined_total',
      help: 'Decision-log and PII-reveal records PostgreSQL refused, kept escaped in decision_quarantine instead',
      registers: [registry],
    }),
    cedarReplacements: new Counter({
      name: 'tenet_cedar_instance_replacements_total',
      help: 'Cedar instances replaced after a fault: "deciding" (the instance decisions use) or "sandbox" (the worker that parses callers\' Cedar text; also after a timeout)',
      labelNames: ['instance'] as const,
      registers: [registry],
    }),
    journalFsyncs: new Counter({
      name: 'tenet_decision_journal_fsyncs_total',
      help: 'Flushes of the decision journal to stable storage: O_DSYNC writes (one per group of decisions) and directory fsyncs',
      registers: [registry],
    }),
    journalBytes: new Gauge({ name: 'tenet_decision_journal_bytes', help: "Bytes in the decision journal's segments on disk", registers: [registry] }),
    decisionQueue: new Gauge({ name: 'tenet_decision_log_queue', help: 'Decisions waiting to be written', registers: [registry] }),
    entities: new Gauge({ name: 'tenet_entities', help: 'Entities in the in-memory store', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
