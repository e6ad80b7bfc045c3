import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  // 'server-only' resolves to its empty module here, as in Next's server bundles (see scripts/lib/node-args.ts).
  resolve: {
    alias: {
      '@': path.resolve(__dirname),
      'server-only': path.resolve(__dirname, 'node_modules/server-only/empty.js'),
    },
  },
  test: {
    include: [
      'eslint-rules/**/*.test.ts',
      'model/**/*.test.ts',
      'server/**/*.test.ts',
      'worker/**/*.test.ts',
      'scripts/**/*.test.ts',
      'app/**/*.test.ts',
      'components/**/*.test.ts',
      'test/**/*.test.ts',
      'cli/**/*.test.ts',
    ],
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/setup-file.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in forks, a couple at a time, each with its own database.
    pool: 'forks',
    maxWorkers: 2,
  },
});
