import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Eddy,
  serve,
  type DataFrame,
  type PipelineModel,
  type Row,
  type StreamingQueryProgress,
} from '../../src/index.js';
import { IRIS_FEATURES, fitIrisPipeline, irisData } from '../support/iris-pipeline.js';

/*
 * Issue 8, "a model swap under load": messages keep arriving while a new model is saved at the watched path.
 * Every input offset must be answered exactly once, every micro-batch by one model, the new model from some
 * batch on and the old one never again, and each answer must equal its model's batch transform.
 */

const { Kafka, logLevel } = kafkajs;
const FEATURES = IRIS_FEATURES;
const PATH = 'dfs:///models/swapped';
const CHUNK = 25;
/** Generous bounds on produce loops that end on a condition, so a broken swap fails instead of hanging. */
const MAX_CHUNKS = 2_000;

let home: string;
let eddy: Eddy;
let kafka: InstanceType<typeof Kafka>;
let iris: DataFrame;
let irisRows: Row[];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-serve-swap-'));
  eddy = await Eddy.start({ home });
  kafka = new Kafka({ clientId: 'test', brokers: [eddy.broker.bootstrapServers], logLevel: logLevel.NOTHING });
  iris = await irisData(eddy);
  irisRows = await iris.collect();
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const fit = (maxDepth: number): Promise<PipelineModel> => fitIrisPipeline(iris, maxDepth);

interface Record {
  key: string;
  partition: number;
  offset: bigint;
  value: string;
}

async function readTopic(topic: string): Promise<Record[]> {
  const df = await eddy.read
    .format('kafka')
    .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
    .option('subscribe', topic)
    .load();
  return (await df.collect()).map((r) => ({
    key: Buffer.from(r['key'] as Uint8Array).toString(),
    partition: Number(r['partition']),
    offset: BigInt(r['offset'] as bigint),
    value: Buffer.from(r['value'] as Uint8Array).toString(),
  }));
}

describe('serve with watch: a model swap under load', () => {
  it('answers every offset once, each batch by one model, the new one for good after its first answer', async () => {
    const [oldModel, newModel] = [await fit(1), await fit(4)];
    const predictions = async (m: PipelineModel) =>
      new Map((await m.transform(iris).collect()).map((r, i) => [i, r['prediction']]));
    const want = new Map([
      [oldModel.uid, await predictions(oldModel)],
      [newModel.uid, await predictions(newModel)],
    ]);
    // A stump cannot tell three classes apart: the two models disagree, so a mixed-up answer would show.
    expect([...want.get(oldModel.uid)!.values()]).not.toEqual([...want.get(newModel.uid)!.values()]);
    await oldModel.write().overwrite().session(eddy).save(PATH);

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'swap-in', numPartitions: 2 },
        { topic: 'swap-out', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();

    const batches: StreamingQueryProgress[] = [];
    const listener = { onQueryProgress: (e: { progress: StreamingQueryProgress }) => batches.push(e.progress) };
    eddy.streams.addListener(listener);
    const server = await serve(eddy, {
      modelPath: PATH,
      watch: true,
      inputTopic: 'swap-in',
      outputTopic: 'swap-out',
      // Small batches, so that the swap falls between many of them.
      maxOffsetsPerTrigger: 40,
      progressIntervalMs: 0,
    });

    const producer = kafka.producer();
    await producer.connect();
    let sent = 0;
    const produceChunk = async () => {
      const messages = Array.from({ length: CHUNK }, (_, j) => {
        const n = sent + j;
        const r = irisRows[n % irisRows.length]!;
        return { key: `m-${n}`, value: JSON.stringify(Object.fromEntries(FEATURES.map((c) => [c, r[c]]))) };
      });
      sent += CHUNK;
      await producer.send({ topic: 'swap-in', messages });
    };
    try {
      // Load before the swap: produce until the old model has answered something.
      for (let c = 0; server.stats.predictions === 0; c++) {
        expect(c).toBeLessThan(MAX_CHUNKS);
        await produceChunk();
      }
      // The swap, while messages keep coming: the save runs concurrently with producing and serving.
      let saved = false;
      const saving = newModel
        .write()
        .overwrite()
        .session(eddy)
        .save(PATH)
        .then(() => (saved = true));
      let after = 0;
      for (let c = 0; after < 5; c++) {
        expect(c).toBeLessThan(MAX_CHUNKS);
        await produceChunk();
        if (saved && server.model.uid === newModel.uid) after++;
      }
      await saving;
      await server.processAllAvailable();
    } finally {
      await producer.disconnect();
      await server.stop();
      eddy.streams.removeListener(listener);
    }

    const input = await readTopic('swap-in');
    const output = await readTopic('swap-out');
    expect(input).toHaveLength(sent);
    // Exactly once: no crash happened, so every input key has one answer, and no answer is extra.
    const answers = new Map<string, { uid: string; prediction: unknown; savedAt: unknown }>();
    for (const o of output) {
      expect(answers.has(o.key), `${o.key} answered twice`).toBe(false);
      const v = JSON.parse(o.value) as { modelUid: string; prediction: unknown; modelSavedAt: unknown };
      answers.set(o.key, { uid: v.modelUid, prediction: v.prediction, savedAt: v.modelSavedAt });
    }
    expect(answers.size).toBe(sent);

    // Which micro-batch read each input offset: the first batch whose end offset lies past it.
    const ends = batches
      .filter((b) => b.numInputRows > 0)
      .sort((a, b) => a.batchId - b.batchId)
      .map((b) => ({
        id: b.batchId,
        end: (b.sources[0]!.endOffset as { [t: string]: { [p: string]: number } })['swap-in']!,
      }));
    const batchOf = (r: Record) => ends.find((b) => BigInt(b.end[String(r.partition)] ?? 0) > r.offset)?.id;
    const uidsByBatch = new Map<number, Set<string>>();
    for (const r of input) {
      const a = answers.get(r.key);
      expect(a, `${r.key} (${r.partition}@${r.offset}) has no answer`).toBeDefined();
      expect([oldModel.uid, newModel.uid]).toContain(a!.uid);
      expect(typeof a!.savedAt).toBe('number');
      // The same answer as that model's batch transform of this message's row.
      expect(a!.prediction).toBe(want.get(a!.uid)!.get(Number(r.key.slice(2)) % irisRows.length));
      const id = batchOf(r);
      expect(id, `${r.partition}@${r.offset} is in no batch's range`).toBeDefined();
      const uids = uidsByBatch.get(id!) ?? new Set<string>();
      uids.add(a!.uid);
      uidsByBatch.set(id!, uids);
    }
    const sequence = [...uidsByBatch.entries()].sort(([a], [b]) => a - b).map(([, uids]) => [...uids]);
    for (const uids of sequence) expect(uids).toHaveLength(1);
    const flat = sequence.map(([uid]) => uid);
    const first = flat.indexOf(newModel.uid);
    expect(first).toBeGreaterThan(0); // the old model answered first, the new one then
    expect(flat.slice(first).every((u) => u === newModel.uid)).toBe(true);
  });
});
