import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/kernel/config.ts';
import { createLogger } from '../../engine/kernel/logger.ts';
import { startTenet } from '../../engine/main/server.ts';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import { FileCheckpointLog } from './checkpoint-file.ts';
import { EvidenceStore } from './evidence-store.ts';
import { loadKeyRing } from './keys.ts';
import { verifyEvidence } from './verify-evidence.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tenet-checkpoint-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the checkpoint job of tenet serve', () => {
  it('checkpoints the chain at start-up into the file; a line removed from the file is named by the link after it', async () => {
    const database = await createTestDatabase();
    try {
      const store = new EvidenceStore(database.db);
      const config = loadConfig({ TENET_DATA_DIR: dir, LOG_LEVEL: 'silent', TENET_SCHEDULER: 'false', PORT: '0' });
      const file = path.join(dir, 'evidence-checkpoints.jsonl');
      const log = new FileCheckpointLog(file);
      for (let round = 0; round < 3; round++) {
        await store.append({ controlId: 'storage.s3-versioning', source: 'test', payload: { round } });
        const tenet = await startTenet({ config, logger: createLogger({ level: 'silent' }), database, port: 0 });
        // The job's first round runs at start; wait for it to land in the file.
        for (let i = 0; i < 100 && (await new FileCheckpointLog(file).lastSeq()) !== round + 1; i++) await new Promise((r) => setTimeout(r, 100));
        await tenet.close();
      }
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines.map((l) => JSON.parse(l).statement).map((s: { seq: number; fromSeq: number; reason: string }) => [s.fromSeq, s.seq, s.reason])).toEqual([
        [1, 1, 'start'],
        [2, 2, 'start'],
        [3, 3, 'start'],
      ]);
      const keys = await loadKeyRing({ config });
      expect((await verifyEvidence({ db: database.db, store, publicKey: keys.publicKey, sinks: [log] })).ok).toBe(true);
      writeFileSync(file, [lines[0], lines[2]].join('\n') + '\n');
      const r = await verifyEvidence({ db: database.db, store, publicKey: keys.publicKey, sinks: [new FileCheckpointLog(file)] });
      expect(r.ok).toBe(false);
      expect(r.problems).toEqual([
        expect.stringMatching(
          /^checkpoint file .*: the checkpoint\(s\) between the one of \S+ \(record 1\) and the one of \S+ \(record 3\) are missing or were changed$/,
        ),
      ]);
    } finally {
      await database.close();
    }
  }, 180_000);
});
