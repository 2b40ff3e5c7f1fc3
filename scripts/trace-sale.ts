// Lists the src/ files (and their functions) one warm code sale runs through, in file order of
// first entry as V8's precise coverage reports them: `MONGODB_URI=... node --import tsx scripts/trace-sale.ts`.
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { createReferral } from '../src/index.js';

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('Set MONGODB_URI (see README, "Testing")');
const connection = await mongoose.createConnection(uri, { dbName: `rf_trace_${process.pid}` }).asPromise();
const engine = await createReferral({ connection, tenant: { fieldType: 'objectId' } });
await engine.syncIndexes();
const ctx = { organizationId: new mongoose.Types.ObjectId() };
const sale = async () => {
  const ownerRef = new mongoose.Types.ObjectId();
  const { code } = await engine.repositories.referralCode.generateCode(ownerRef, 'user', ctx);
  return { code, refereeRef: new mongoose.Types.ObjectId(), refereeModel: 'user', sourceRef: new mongoose.Types.ObjectId(), sourceModel: 'Order' };
};
// Warm up: every code path compiled and the code cache filled, as in a running checkout.
for (let i = 0; i < 50; i++) await engine.attributeSale(await sale(), ctx);
const input = await sale();
await engine.attributeSale({ ...input, sourceRef: new mongoose.Types.ObjectId() }, ctx);
await engine.events.redeliver();

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
await session.post('Profiler.takePreciseCoverage');
await engine.attributeSale({ ...input, sourceRef: new mongoose.Types.ObjectId() }, ctx);
const { result } = await session.post('Profiler.takePreciseCoverage');
await session.post('Profiler.stopPreciseCoverage');

const src = new URL('../src/', import.meta.url).href;
const files = result
  .filter((script) => script.url.startsWith(src))
  .map((script) => ({
    file: fileURLToPath(script.url).slice(fileURLToPath(src).length),
    functions: script.functions
      .filter((fn) => fn.ranges[0] && fn.ranges[0].count > 0 && fn.ranges[0].startOffset > 0)
      .map((fn) => fn.functionName || '(anonymous)'),
  }))
  .filter((entry) => entry.functions.length > 0)
  .sort((a, b) => a.file.localeCompare(b.file));
for (const { file, functions } of files) console.log(`${file.padEnd(36)} ${[...new Set(functions)].join(', ')}`);
console.log(`${files.length} files in ${new Set(files.map((f) => f.file.split('/')[0])).size} folders`);
await engine.destroy();
await connection.dropDatabase();
await connection.close();
