import { z } from 'zod';
import { DETECTOR_IDS } from '../engine/scanner/types.ts';

const detector = z.enum(DETECTOR_IDS);

/** What the log scan saw since the window start: counts, masked samples and fingerprints; never a raw value. */
export const logScanEvidence = z.object({
  window: z.object({ since: z.number(), until: z.number(), reason: z.enum(['deployment', 'window']), deployment: z.string().nullable() }),
  scans: z.number().int(),
  groups: z.array(
    z.object({
      accountId: z.string(),
      region: z.string(),
      logGroupName: z.string(),
      eventsScanned: z.number().int(),
      bytesScanned: z.number(),
      status: z.enum(['ok', 'deleted', 'error']),
      error: z.string().optional(),
    }),
  ),
  counts: z.record(z.string(), z.number().int()),
  byGroup: z.array(z.object({ logGroupName: z.string(), logStreamName: z.string(), detector, count: z.number().int() })),
  samples: z.array(
    z.object({ logGroupName: z.string(), logStreamName: z.string(), detector, masked: z.string(), fingerprint: z.string(), timestamp: z.number() }),
  ),
  errors: z.array(z.object({ source: z.string(), message: z.string() })),
});
export type LogScanEvidence = z.infer<typeof logScanEvidence>;
