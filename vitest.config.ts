import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(__dirname) } },
  test: {
    include: [
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
