import cron from 'node-cron';

/**
 * The longest time between two consecutive ticks of a cron pattern (node-cron syntax, UTC), from its next 60 ticks:
 * the interval a control's runs should keep. undefined when the pattern is not valid.
 */
export function cronIntervalMs(pattern: string): number | undefined {
  if (!cron.validate(pattern)) return undefined;
  const task = cron.createTask(pattern, () => {}, { timezone: 'UTC' });
  try {
    const ticks = task.getNextRuns(60).map((d) => d.getTime());
    let longest = 0;
    for (let i = 1; i < ticks.length; i++) longest = Math.max(longest, ticks[i] - ticks[i - 1]);
    return longest || undefined;
  } finally {
    void task.destroy();
  }
}
