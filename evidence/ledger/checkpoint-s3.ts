import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CheckpointSink, SignedCheckpoint } from './checkpoints.ts';

/**
 * Checkpoints copied to an S3 bucket with Object Lock: one object per checkpoint (`<prefix><seq, 20 digits>.json`),
 * put with `ObjectLockMode` (COMPLIANCE by default: nobody, not even the account root, can delete or overwrite a
 * version before `ObjectLockRetainUntilDate`) and a Content-MD5, which S3 requires on Object Lock puts. The bucket
 * must have been created with Object Lock enabled (which also turns versioning on); an overwrite then only adds a
 * version and the locked one stays.
 */
export class S3CheckpointSink implements CheckpointSink {
  readonly name: string;
  private readonly client: S3Client;

  constructor(
    private readonly props: {
      bucket: string;
      prefix: string;
      lockMode: 'COMPLIANCE' | 'GOVERNANCE';
      retainDays: number;
      /** a client of its own (tests: the loopback endpoint); default: the SDK's default chain and region */
      client?: S3Client;
    },
  ) {
    this.name = `S3 s3://${props.bucket}/${props.prefix}`;
    this.client = props.client ?? new S3Client({});
  }

  keyOf(seq: number): string {
    return `${this.props.prefix}${String(seq).padStart(20, '0')}.json`;
  }

  /** The newest key seen: later listings start after it, so finding the last checkpoint does not list the year. */
  private lastKey: string | undefined;

  private async keys(startAfter?: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.props.bucket,
          Prefix: this.props.prefix,
          ContinuationToken: token,
          ...(startAfter && !token ? { StartAfter: startAfter } : {}),
        }),
      );
      for (const o of page.Contents ?? []) if (o.Key && /\d{20}\.json$/.test(o.Key)) keys.push(o.Key);
      const next = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (next && next === token) throw new Error('ListObjectsV2 answered the same continuation token twice');
      token = next;
    } while (token);
    return keys.sort();
  }

  async lastSeq(): Promise<number | undefined> {
    // Other replicas put checkpoints too: list what came after the newest key this process has seen.
    const last = (await this.keys(this.lastKey)).at(-1) ?? this.lastKey;
    this.lastKey = last;
    return last ? Number(/(\d{20})\.json$/.exec(last)![1]) : undefined;
  }

  async append(checkpoints: SignedCheckpoint[]): Promise<void> {
    const retainUntil = new Date(Date.now() + this.props.retainDays * 86_400_000);
    for (const c of checkpoints) {
      const body = Buffer.from(JSON.stringify(c) + '\n');
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.props.bucket,
          Key: this.keyOf(c.statement.seq),
          Body: body,
          ContentType: 'application/json',
          ContentMD5: createHash('md5').update(body).digest('base64'),
          ObjectLockMode: this.props.lockMode,
          ObjectLockRetainUntilDate: retainUntil,
        }),
      );
      this.lastKey = this.keyOf(c.statement.seq);
    }
  }

  async readAll(): Promise<{ checkpoints: SignedCheckpoint[]; problems: string[] }> {
    const checkpoints: SignedCheckpoint[] = [];
    const problems: string[] = [];
    for (const key of await this.keys()) {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.props.bucket, Key: key }));
      const text = (await r.Body?.transformToString('utf8')) ?? '';
      try {
        const c = JSON.parse(text) as SignedCheckpoint;
        if (!c?.statement || typeof c.statement.seq !== 'number') throw new Error('not a checkpoint');
        if (key !== this.keyOf(c.statement.seq)) problems.push(`${this.name}: ${key} holds the checkpoint of record ${c.statement.seq}`);
        checkpoints.push(c);
      } catch {
        problems.push(`${this.name}: ${key} is not a signed checkpoint`);
      }
    }
    return { checkpoints, problems };
  }
}
