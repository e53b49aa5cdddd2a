import { defineConfig } from 'vitest/config';

// Small tests live beside the code (*.spec.ts), integration tests under test/ (*.test.ts).
export default defineConfig({
  test: {
    include: ['**/*.spec.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dashboard/dist/**', 'data/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // autoload imports route files itself; inlined, its import() goes through vitest's TypeScript transform.
    server: { deps: { inline: ['@fastify/autoload'] } },
  },
});
