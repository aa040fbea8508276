import type { Db } from '../../engine/db/database.ts';
import { checkpointProblem, fromRow, hashAt, linkProblems, type CheckpointSink, type SignedCheckpoint } from './checkpoints.ts';
import type { ChainAnchors, ChainVerdict, EvidenceStore } from './evidence-store.ts';

export interface EvidenceReport {
  ok: boolean;
  chain: ChainVerdict;
  /** everything that is wrong, the chain's first break first */
  problems: string[];
  /** what a reader should know that is not wrong */
  notes: string[];
  /** the newest checkpoint found outside the database, and where */
  latestExternal?: { seq: number; createdAt: string; where: string[] };
}

/**
 * `tenet evidence verify`: the chain walked record by record, and compared with every signed checkpoint found —
 * outside the database (the sinks: file, S3) and in it. Checkpoints that do not verify with the configured public
 * keys are problems, not anchors; a checkpoint log with a hole (its `prev` links broken) is a problem; then the chain
 * must still hold every hash the checkpoints recorded and reach the newest of them.
 */
export async function verifyEvidence(props: {
  db: Db;
  store: EvidenceStore;
  publicKey: (keyId: string) => string | undefined;
  sinks: readonly CheckpointSink[];
}): Promise<EvidenceReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  const trusted: Array<{ c: SignedCheckpoint; where: string }> = [];
  const dbRows = (await props.db.selectFrom('evidence_checkpoints').selectAll().orderBy('seq', 'asc').execute()).map(fromRow);
  for (const c of dbRows) {
    const p = checkpointProblem(c, props.publicKey);
    if (p) problems.push(`database: ${p}`);
    else trusted.push({ c, where: 'database' });
  }
  problems.push(...linkProblems(dbRows, 'database'));
  const externalDigests = new Set<string>();
  let latestExternal: EvidenceReport['latestExternal'];
  for (const sink of props.sinks) {
    let read: { checkpoints: SignedCheckpoint[]; problems: string[] };
    try {
      read = await sink.readAll();
    } catch (error) {
      problems.push(`${sink.name} could not be read: ${(error as Error).message}`);
      continue;
    }
    problems.push(...read.problems);
    const good: SignedCheckpoint[] = [];
    for (const c of read.checkpoints) {
      const p = checkpointProblem(c, props.publicKey);
      if (p) problems.push(`${sink.name}: ${p}`);
      else good.push(c);
    }
    problems.push(...linkProblems(good, sink.name));
    for (const c of good) {
      trusted.push({ c, where: sink.name });
      externalDigests.add(c.digest);
      const s = c.statement;
      if (!latestExternal || s.seq > latestExternal.seq) latestExternal = { seq: s.seq, createdAt: s.createdAt, where: [sink.name] };
      else if (s.seq === latestExternal.seq && !latestExternal.where.includes(sink.name)) latestExternal.where.push(sink.name);
    }
    if (!read.checkpoints.length) notes.push(`${sink.name} holds no checkpoint yet`);
  }
  const onlyInDb = dbRows.filter((c) => !externalDigests.has(c.digest));
  if (props.sinks.length && dbRows.length && !externalDigests.size) {
    problems.push(
      `the database holds ${dbRows.length} checkpoint(s) and none was found outside it (${props.sinks.map((s) => s.name).join(', ')}): the chain cannot be checked against an external checkpoint`,
    );
  } else if (onlyInDb.length && externalDigests.size) {
    notes.push(
      `${onlyInDb.length} checkpoint(s) are only in the database so far (newest: record ${onlyInDb.at(-1)!.statement.seq}); the next checkpoint run copies them out`,
    );
  }
  // Every trusted checkpoint is an anchor; two that disagree about a record mean the chain was forked by a signer.
  const bySeq = new Map<number, { hash: string; createdAt: string }>();
  for (const { c, where } of trusted) {
    const s = c.statement;
    const from = s.type === 'tenet-evidence-checkpoint/2' ? s.fromSeq : s.seq;
    for (let seq = from; seq <= s.seq; seq++) {
      const h = hashAt(s, seq)!;
      const had = bySeq.get(seq);
      if (had && had.hash !== h)
        problems.push(`${where}: the checkpoint of ${s.createdAt} and the one of ${had.createdAt} record different hashes for record ${seq}`);
      else if (!had) bySeq.set(seq, { hash: h, createdAt: s.createdAt });
    }
  }
  const newest = trusted.reduce<SignedCheckpoint | undefined>((m, { c }) => (!m || c.statement.seq > m.statement.seq ? c : m), undefined);
  const anchors: ChainAnchors = {
    hashAt: (seq) => bySeq.get(seq),
    latest: newest ? { seq: newest.statement.seq, createdAt: newest.statement.createdAt } : undefined,
  };
  const chain = await props.store.verify({ publicKey: props.publicKey, anchors });
  if (!chain.ok) problems.unshift(`evidence chain broken at record ${chain.seq}: ${chain.reason}`);
  if (!trusted.length) notes.push('no signed checkpoint exists yet: the chain was checked against itself only');
  return { ok: problems.length === 0, chain, problems, notes, latestExternal };
}
