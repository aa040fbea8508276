import type { ControlSettings } from '../../controls/settings.ts';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import type { Db } from '../db/database.ts';
import { IncidentRegister } from '../incidents/incident-register.ts';
import { IncidentWebhooks, startIncidentTicker } from '../incidents/incident-webhooks.ts';
import type { Logger } from '../kernel/logger.ts';

export interface Incidents {
  register: IncidentRegister;
  webhooks: IncidentWebhooks;
  /** what the incident routes are built from */
  routes: { register: IncidentRegister; webhookConfigured: boolean };
  /** Starts the tick (clock warnings, webhook retries) every `everyMs`; the server does so when TENET_SCHEDULER. */
  start(everyMs?: number): void;
  close(): Promise<void>;
}

/** The incident register over the settings' `incidents` block, its signed webhooks and their tick. */
export function setupIncidents(props: {
  db: Db;
  settings: ControlSettings['incidents'];
  logger?: Logger;
  env?: Record<string, string | undefined>;
}): Incidents {
  // A webhook without its secret would sign nothing: refuse to start, naming the variable (never a default secret).
  const hook = props.settings.webhook;
  if (hook && !(props.env ?? process.env)[hook.secretEnv]) {
    throw new Error(`incidents.webhook.secretEnv: the environment variable ${hook.secretEnv} (the webhook's signing secret) is not set`);
  }
  const webhooks = new IncidentWebhooks({ db: props.db, settings: props.settings, env: props.env, logger: props.logger });
  const register = new IncidentRegister({ db: props.db, settings: props.settings, evidence: new EvidenceStore(props.db), notifier: webhooks });
  let ticker: { stop(): Promise<void> } | undefined;
  return {
    register,
    webhooks,
    routes: { register, webhookConfigured: webhooks.configured },
    start(everyMs) {
      if (props.logger) ticker ??= startIncidentTicker({ webhooks, logger: props.logger, everyMs });
    },
    async close() {
      webhooks.close();
      await ticker?.stop();
    },
  };
}
