// Plain-Node smoke test of the built package (run after `npm run build`; `npm run test:smoke`).
// Imports every published subpath through the package's own `exports` map, checks the named
// exports and the declaration files, and checks what `npm pack` would publish.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const expected = {
  '.': [
    'createReferral',
    'defineReferral',
    'ReferralConverted',
    'referralEventDefinitionsByName',
    'isDatabaseUnavailable',
    'notRequiredChain',
    'ModelCollisionError',
    'ReferralError',
    'ValidationError',
    'createChain',
    'applyDecision',
    'skipStep',
    'pendingSteps',
    'isApproved',
    'assertApproved',
    'REFERRAL_EVENTS',
    'referralEventDefinitions',
    'InProcessBus',
    'normalizeCode',
  ],
  './repositories': ['ReferralCodeRepository', 'ReferralRepository'],
  './events': ['REFERRAL_EVENTS', 'referralEventDefinitions', 'referralEventNames', 'InProcessBus', 'matchesEventPattern', 'convertedPayloadSchema'],
  './schemas': [
    'attributeSaleInputSchema',
    'recordConversionInputSchema',
    'approveInputSchema',
    'rejectInputSchema',
    'listForReferrerOptionsSchema',
    'approvalChainInputSchema',
    'metadataSchema',
    'parseInput',
  ],
  './errors': [
    'ReferralError',
    'ValidationError',
    'TenantRequiredError',
    'NotFoundError',
    'SelfReferralError',
    'InvalidTransitionError',
    'DuplicateError',
    'ApprovalError',
    'isReferralError',
  ],
};

let passed = 0;
let failed = 0;
const check = (condition, what) => {
  if (condition) passed++;
  else {
    failed++;
    console.error(`FAIL ${what}`);
  }
};

check(
  JSON.stringify(
    Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .sort(),
  ) === JSON.stringify(Object.keys(expected).sort()),
  'exports map lists exactly the documented subpaths',
);
for (const [subpath, names] of Object.entries(expected)) {
  const entry = pkg.exports[subpath];
  check(existsSync(join(root, entry.default)) && existsSync(join(root, entry.types)), `${subpath}: ${entry.default} and ${entry.types} exist`);
  const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const mod = await import(specifier);
  for (const name of names) check(mod[name] !== undefined, `${specifier} exports ${name}`);
  check(mod.default === undefined, `${specifier} has no default export`);
}

// Every type a public signature uses can be named by a host from the root.
const rootTypes = readFileSync(join(root, 'dist/index.d.ts'), 'utf8');
const exportedNames = new Set(
  [...rootTypes.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)].flatMap((m) =>
    m[1].split(',').map((part) =>
      part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        .replace(/^type\s+/, ''),
    ),
  ),
);
const publicTypes = [
  'ReferralEngine',
  'ReferrerStats',
  'LeaderboardEntry',
  'LeaderboardOptions',
  'AttributionExplanation',
  'TrackVisitInput',
  'AttributeSaleInput',
  'ReferralTouchRecord',
  'ReferralBindingRecord',
  'AttributionConfig',
  'ReferralPage',
  'ReferralRecord',
  'ReferralCodeRecord',
  'ResolvedReferrer',
  'ReferralModels',
  'ReferralEvents',
  'ReferralStats',
  'ReferralRepository',
  'ReferralCodeRepository',
  'CodePolicy',
  'ReverseInput',
  'ApproveInput',
  'RejectInput',
  'RecordConversionInput',
  'ListForReferrerOptions',
  'ReferralStatus',
  'ReferralEvent',
  'OutboxStore',
  'RedeliverOptions',
  'RedeliverReport',
  'SyncIndexesReport',
  'ReviewConfig',
  'CodeCacheOptions',
];
for (const name of publicTypes) check(exportedNames.has(name), `the root exports type ${name}`);

const errors = await import(`${pkg.name}/errors`);
const root_ = await import(pkg.name);
check(errors.ReferralError === root_.ReferralError, 'errors are one class across subpaths (instanceof holds)');

const maps = execFileSync('find', [join(root, 'dist'), '-name', '*.map'], { encoding: 'utf8' }).trim();
check(maps === '', 'no sourcemaps or declaration maps in dist');

const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
);
const stray = packed.files.map((f) => f.path).filter((p) => !p.startsWith('dist/') && !['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(p));
check(stray.length === 0, `npm pack publishes only dist, README, LICENSE, CHANGELOG (stray: ${stray.join(', ')})`);
check(
  ['README.md', 'LICENSE', 'CHANGELOG.md'].every((f) => packed.files.some((p) => p.path === f)),
  'npm pack includes README, LICENSE and CHANGELOG',
);

console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
