// `npm test`: the database-free unit tests first, so they report whatever happens next; then the
// layers that need MongoDB (MONGODB_URI, else mongodb-memory-server). Exits non-zero if either failed.
import { spawnSync } from 'node:child_process';

const vitest = (projects) =>
  spawnSync('npx', ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1;

const unit = vitest(['unit']);
const withDatabase = vitest(['integration', 'family']);
process.exit(unit !== 0 ? unit : withDatabase);
