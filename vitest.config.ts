import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: real servers, ffmpeg and tmux run inside tests, so keep parallelism modest.
    maxWorkers: 2,
  },
});
