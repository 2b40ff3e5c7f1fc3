import { defineConfig } from 'tsup';

// One entry per published subpath; the shared chunks keep classes (errors) identical across subpaths.
export const tsupConfig = defineConfig({
  entry: {
    index: 'src/index.ts',
    repositories: 'src/repositories.ts',
    'events/index': 'src/events/index.ts',
    schemas: 'src/schemas.ts',
    errors: 'src/kernel/errors.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: false,
  splitting: true,
  clean: true,
  treeshake: true,
  external: ['mongoose', 'mongodb', 'zod'],
});

export default tsupConfig;
