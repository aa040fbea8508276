import cron, { type ScheduledTask } from 'node-cron';
import type { EvidenceSources } from '../../controls/define-control.ts';
import type { Logger } from '../kernel/logger.ts';
import type { ControlService } from './control-service.ts';
import type { ControlExceptions } from './exceptions.ts';

/**
 * Runs each control on its cron schedule (node-cron). Across replicas, `ControlRuns.claim` makes exactly one
 * run each tick (advisory lock + a unique row per control and tick); within a replica, node-cron's `noOverlap`
 * skips a tick while the previous run of that control is still going. Controls firing on the same tick share
 * one set of evidence sources (one inventory read). Readiness is also recomputed on an interval, so a result
 * that goes stale or an exception that expires takes effect without a run. On that interval (and at start) runs
 * whose lease lapsed are marked `abandoned` too, so a dead replica's run does not wait for its control's next
 * tick to be seen (that tick's claim abandons it as well, before running the control again).
 */
export function startControlScheduler(props: {
  service: ControlService;
  logger: Logger;
  readinessEveryMs?: number;
  /** control exceptions: those about to expire are logged once a day, on the readiness tick */
  exceptions?: Pick<ControlExceptions, 'warnExpiring'>;
}): { stop(): Promise<void> } {
  const { service, logger } = props;
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let tickSources: { at: number; sources: EvidenceSources } | undefined;
  let stopped = false;

  for (const id of service.catalogue.keys()) {
    const pattern = service.schedule(id);
    if (!cron.validate(pattern)) throw new Error(`control ${id}: "${pattern}" is not a valid cron pattern`);
    tasks.push(
      cron.schedule(
        pattern,
        async (ctx) => {
          if (stopped) return;
          const at = Math.floor(ctx.date.getTime() / 1000) * 1000;
          if (!tickSources || tickSources.at !== at) tickSources = { at, sources: service.sources() };
          const run = service
            .runScheduled(id, new Date(at), tickSources.sources)
            .catch((error: Error) => logger.error({ control: id, err: { message: error.message } }, 'scheduled control run failed'));
          inFlight.add(run);
          try {
            await run;
          } finally {
            inFlight.delete(run);
          }
        },
        { name: `control:${id}`, noOverlap: true, suppressMissedWarning: true },
      ),
    );
  }
  const warnExpiring = () =>
    props.exceptions?.warnExpiring(logger).catch((error: Error) => logger.error({ err: { message: error.message } }, 'exception expiry check failed'));
  const sweep = () => service.abandonLapsed().catch((error: Error) => logger.error({ err: { message: error.message } }, 'control run lease sweep failed'));
  void warnExpiring();
  void sweep();
  const readiness = setInterval(() => {
    void sweep();
    service.applyReadiness().catch((error: Error) => logger.error({ err: { message: error.message } }, 'readiness refresh failed'));
    void warnExpiring();
  }, props.readinessEveryMs ?? 30_000);
  readiness.unref();
  logger.info({ controls: tasks.length }, 'control scheduler started');

  return {
    async stop() {
      stopped = true;
      clearInterval(readiness);
      for (const t of tasks) await t.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
