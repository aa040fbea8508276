import path from 'node:path';
import type { Config } from '../../engine/kernel/config.ts';
import type { Db } from '../../engine/db/database.ts';
import { FileCheckpointLog } from './checkpoint-file.ts';
import { EvidenceCheckpoints, type CheckpointSink } from './checkpoints.ts';
import { loadKeyRing, type KeyRing } from './keys.ts';
import type { Signer } from './signing.ts';

type Log = { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; error(obj: object, msg: string): void };

/**
 * Where checkpoints are written outside the database, from the configuration: the file, and S3 when configured.
 * The AWS SDK is loaded only when S3 is configured (start-up time).
 */
export async function checkpointSinks(config: Config): Promise<CheckpointSink[]> {
  const sinks: CheckpointSink[] = [
    new FileCheckpointLog(path.resolve(config.TENET_CHECKPOINT_FILE ?? path.join(config.TENET_DATA_DIR, 'evidence-checkpoints.jsonl'))),
  ];
  if (config.TENET_CHECKPOINT_S3_BUCKET) {
    const { S3CheckpointSink } = await import('./checkpoint-s3.ts');
    sinks.push(
      new S3CheckpointSink({
        bucket: config.TENET_CHECKPOINT_S3_BUCKET,
        prefix: config.TENET_CHECKPOINT_S3_PREFIX,
        lockMode: config.TENET_CHECKPOINT_S3_LOCK_MODE,
        retainDays: config.TENET_CHECKPOINT_S3_RETAIN_DAYS,
      }),
    );
  }
  return sinks;
}

/** The keys of this process (moving any out of the database first) and the checkpointer over its sinks. */
export async function setupEvidenceAnchoring(props: { config: Config; db: Db; logger?: Log }): Promise<{ keys: KeyRing; checkpoints: EvidenceCheckpoints }> {
  const keys = await loadKeyRing({ config: props.config, db: props.db, logger: props.logger, kmsSigner });
  const checkpoints = new EvidenceCheckpoints({
    db: props.db,
    signer: keys.signer,
    publicKey: keys.publicKey,
    sinks: await checkpointSinks(props.config),
    logger: props.logger,
  });
  return { keys, checkpoints };
}

export type EvidenceAnchoring = Awaited<ReturnType<typeof setupEvidenceAnchoring>>;

/** A KMS signer for the key id, the AWS SDK loaded only when one is configured (start-up time). */
export async function kmsSigner(keyId: string): Promise<Signer> {
  return (await import('./kms-signer.ts')).createKmsSigner({ keyId });
}
