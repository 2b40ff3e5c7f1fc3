import { createReferral } from '@classytic/referral';
import mongoose from 'mongoose';

await mongoose.connect(process.env.MONGODB_URI!);
const ctx = { organizationId: '665f1c2e8a1b2c3d4e5f6a7b' }; // the tenant of this request
const ownerId = new mongoose.Types.ObjectId(); // ids from your app: ObjectIds or strings
const refereeRef = new mongoose.Types.ObjectId();
const orderId = new mongoose.Types.ObjectId();
const decidedBy = 'manager-1';

const referral = await createReferral({ connection: mongoose.connection, tenant: { fieldType: 'objectId' } });
await referral.syncIndexes(); // once per deploy

const { code } = await referral.repositories.referralCode.generateCode(ownerId, 'user', ctx);
const r = await referral.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef: orderId, sourceModel: 'Order' }, ctx);
if (r === null) throw new Error('unknown code'); // null for an unknown code; else a Referral with status 'converted'
const approved = await referral.repositories.referral.approve(String(r._id), { decidedBy }, ctx);
console.log(approved.status); // 'approved'

await referral.close();
await mongoose.disconnect();
