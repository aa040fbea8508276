import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger.ts';
import { DecisionLog } from './decision-log.ts';
import { type DecisionRecord } from './decision-record.ts';

const record = (id: string) => ({ id }) as unknown as DecisionRecord;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DecisionLog background flushing', () => {
  it('keeps flushing after its timer fired while a slow write was running', async () => {
    const log = new DecisionLog({ db: {} as never, logger: createLogger({ level: 'silent' }), flushMs: 10 });
    const written: string[] = [];
    let release!: () => void;
    let gate: Promise<void> | undefined = new Promise<void>((r) => (release = r));
    // The database write, made slow at first: the first flush is still running when the next timer fires.
    (log as unknown as { write: (b: DecisionRecord[]) => Promise<void> }).write = async (batch) => {
      if (gate) await gate;
      written.push(...batch.map((r) => (r as unknown as { id: string }).id));
    };
    await log.append(record('a'));
    await sleep(30); // the first flush started and is blocked
    await log.append(record('b'));
    await sleep(30); // b's timer fired while the first flush was still running
    gate = undefined;
    release();
    await sleep(30);
    expect(written).toEqual(['a', 'b']);
    // A later decision must still be written by the timer, not wait for a full batch.
    await log.append(record('c'));
    await sleep(50);
    expect(written).toEqual(['a', 'b', 'c']);
  });
});
