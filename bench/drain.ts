import { performance } from 'node:perf_hooks';
import { type Connection, Types } from 'mongoose';
import { createReferral, ReferralCodeCreated } from '../src/index.js';
import { round } from './stats.js';

export interface DrainReport {
  pending: number;
  published: number;
  passes: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * A backlog of `pending` documents, each holding one unpublished event (as a broker outage leaves
 * them), drained through the engine's in-process bus with one subscriber by `events.redeliver()`
 * passes of 1,000 documents until none is left. The backlog is written directly, as stored events.
 */
export const benchDrain = async (connection: Connection, pending: number): Promise<DrainReport> => {
  const engine = await createReferral({ connection, collectionPrefix: `bench_drain_${Date.now()}_`, logger: null, events: { publishAfterWrite: false } });
  await engine.syncIndexes();
  let delivered = 0;
  await engine.events.subscribe('referral:code.created', () => void delivered++);
  const organizationId = new Types.ObjectId();
  const now = new Date();
  for (let start = 0; start < pending; start += 1_000) {
    const docs = Array.from({ length: Math.min(1_000, pending - start) }, (_, i) => {
      const _id = new Types.ObjectId();
      const code = `D${String(start + i).padStart(7, '0')}`;
      const ownerRef = new Types.ObjectId();
      const event = ReferralCodeCreated.create(
        { codeId: String(_id), code, ownerRef: String(ownerRef), ownerModel: 'user', createdAt: now.toISOString() },
        { idempotencyKey: `referral_code:${_id}:created`, organizationId: String(organizationId) },
      );
      return {
        _id,
        organizationId,
        code,
        foldedCode: code,
        kind: 'generated',
        ownerRef,
        ownerModel: 'user',
        active: true,
        deletedAt: null,
        outbox: [event],
        pendingEventsAt: now,
      };
    });
    await engine.models.ReferralCode.collection.insertMany(docs);
  }
  const started = performance.now();
  let published = 0;
  let passes = 0;
  for (;;) {
    const report = await engine.events.redeliver(undefined, { limit: 1_000 });
    passes++;
    published += report.published;
    if (report.published === 0) break;
  }
  const seconds = (performance.now() - started) / 1_000;
  await engine.destroy();
  if (delivered !== pending) throw new Error(`drained ${delivered} of ${pending}`);
  return { pending, published, passes, seconds: round(seconds, 2), eventsPerSecond: round(published / seconds, 0) };
};
