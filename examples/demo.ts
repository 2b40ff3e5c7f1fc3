/**
 * `npm run demo`: the whole referral story against an embedded MongoDB, printing a transcript
 * and every event as it is emitted. Exits 0 when every step behaved as the README says.
 */
import mongoose, { Types } from 'mongoose';
import { createReferral, isReferralError } from '../src/index.js';
import { startMongo } from './support/start-mongo.js';

const say = (line: string) => console.log(line);
const check = (condition: boolean, what: string) => {
  if (!condition) throw new Error(`demo expectation failed: ${what}`);
};

const mongo = await startMongo('npm run demo');
const connection = await mongoose.createConnection(mongo.uri, { dbName: `referral_demo_${Date.now()}` }).asPromise();
say(`MongoDB: ${mongo.kind}\n`);

try {
  const referral = await createReferral({ connection, tenant: { fieldType: 'objectId' }, attribution: { leads: true } });
  await referral.syncIndexes();
  await referral.events.subscribe('referral:*', (event) => {
    const { payload } = event as { payload: Record<string, unknown> };
    const brief = Object.entries(payload)
      .filter(([key]) =>
        ['code', 'referralId', 'leadId', 'referrerRef', 'refereeRef', 'sourceRef', 'decidedBy', 'reason', 'note', 'firstForReferee'].includes(key),
      )
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    say(`    event ${event.type}  ${brief}  [idempotencyKey ${event.meta.idempotencyKey}]`);
  });

  const ctx = { organizationId: new Types.ObjectId().toHexString(), correlationId: 'demo' };
  const creator = new Types.ObjectId();
  const alice = new Types.ObjectId();
  const bob = new Types.ObjectId();

  say('1. A creator asks for a shareable code');
  const { code } = await referral.repositories.referralCode.generateCode(creator, 'user', ctx);
  say(`   creator ${creator} got code ${code}`);
  const again = await referral.repositories.referralCode.generateCode(creator, 'user', ctx);
  check(again.code === code, 'generateCode is idempotent');
  say(`   asking again returns the same code (${again.code}) and emits nothing\n`);

  say('2. Two buyers check out with the code');
  const orderA = new Types.ObjectId();
  const saleA = await referral.attributeSale(
    { code, refereeRef: alice, refereeModel: 'user', sourceRef: orderA, sourceModel: 'Order', amount: 4900, currency: 'USD' },
    ctx,
  );
  say(`   alice's order ${orderA} -> referral ${saleA?._id} (${saleA?.status})`);
  const orderB = new Types.ObjectId();
  const saleB = await referral.attributeSale(
    { code: code.toLowerCase(), refereeRef: bob, refereeModel: 'user', sourceRef: orderB, sourceModel: 'Order', amount: 12900, currency: 'USD' },
    ctx,
  );
  say(`   bob typed the code in lower case; order ${orderB} -> referral ${saleB?._id} (${saleB?.status})\n`);
  check(saleA?.status === 'converted' && saleB?.status === 'converted', 'both sales converted');

  say('3. The payment webhook for alice is delivered again');
  const replay = await referral.attributeSale({ code, refereeRef: alice, refereeModel: 'user', sourceRef: orderA, sourceModel: 'Order' }, ctx);
  check(String(replay?._id) === String(saleA?._id), 'a replay returns the same referral');
  say(`   same referral ${replay?._id}; no second referral:converted event\n`);

  say('4. The creator tries to use their own code');
  try {
    await referral.attributeSale({ code, refereeRef: creator, refereeModel: 'user', sourceRef: new Types.ObjectId(), sourceModel: 'Order' }, ctx);
    check(false, 'self-referral is refused');
  } catch (error) {
    check(isReferralError(error) && error.code === 'self_referral', 'self-referral is refused');
    say(
      `   refused: ${(error as Error).message} (code ${isReferralError(error) ? error.code : '?'}, HTTP ${isReferralError(error) ? error.status : '?'}); nothing written\n`,
    );
  }

  say('5. A manager reviews the two referrals');
  const approved = await referral.repositories.referral.approve(String(saleA?._id), { decidedBy: 'manager-1', note: 'payment settled' }, ctx);
  say(`   alice's referral: ${approved.status}`);
  const rejected = await referral.repositories.referral.reject(String(saleB?._id), { decidedBy: 'manager-1', reason: 'order refunded' }, ctx);
  say(`   bob's referral: ${rejected.status}`);
  check(approved.status === 'approved' && rejected.status === 'rejected', 'review decided both');

  say("\n6. A friend signs up with the creator's link, then places a first order without any code");
  const friend = new Types.ObjectId();
  const lead = await referral.attributeSignup({ code, refereeRef: friend, refereeModel: 'user' }, ctx);
  say(`   signup recorded: friend ${friend} was referred by ${lead?.referrerRef} (lead ${lead?._id})`);
  const firstOrder = await referral.attributeSale(
    { refereeRef: friend, refereeModel: 'user', sourceRef: new Types.ObjectId(), sourceModel: 'Order', amount: 2500, currency: 'USD' },
    ctx,
  );
  check(
    String(firstOrder?.referrerRef) === String(creator) && firstOrder?.attribution?.rule === 'lead',
    "the code-less first order goes to the lead's referrer",
  );
  say(`   first order -> referral ${firstOrder?._id}, attributed by rule '${firstOrder?.attribution?.rule}'; referral:lead.converted rewards both sides once`);

  const page = await referral.repositories.referral.listForReferrer(creator, {}, ctx);
  const friends = await referral.listLeadsForReferrer(creator, {}, ctx);
  const funnel = await referral.stats.funnel({ referrerRef: creator, from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) }, ctx);
  say(
    `\n7. The creator's dashboard lists ${page.items.length} referrals (${page.items.map((r) => r.status).join(', ')}), ${friends.items.length} friends (${friends.items.map((l) => l.status).join(', ')})`,
  );
  say(
    `   funnel: ${funnel.leads} leads, ${funnel.convertedLeads} bought, ${funnel.sales} sales, ${funnel.approved} approved, net ${funnel.amounts.map((m) => `${m.net} ${m.currency}`).join(', ') || 'none'}`,
  );
  say('   reward the creator on referral:approved, using meta.idempotencyKey to ignore duplicates.');
  await referral.destroy();
  say('\ndemo finished: every step behaved as documented.');
} finally {
  await connection.dropDatabase().catch(() => {});
  await connection.close();
  await mongo.stop();
}
