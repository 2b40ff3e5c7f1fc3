import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Examples import the package by name, as a host would; tests resolve it to the source.
const alias = { '@classytic/referral': fileURLToPath(new URL('./src/index.ts', import.meta.url)) };

export const vitestConfig = defineConfig({
  test: {
    reporters: ['default', './tests/harness/summary-reporter.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/harness/global-setup.ts'],
          setupFiles: ['tests/harness/event-contract.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // The @classytic family's contracts: types (checked by tsc) and their runtime semantics.
          name: 'family',
          include: ['tests/family/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/harness/global-setup.ts'],
          setupFiles: ['tests/harness/event-contract.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // The dashboard example in headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH); `npm run test:browser`.
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/harness/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // Checks only a real mongod can answer (query plans); `npm run test:mongod`.
          name: 'mongod',
          include: ['tests/mongod/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/harness/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

export default vitestConfig;
