import { configDefaults, defineConfig } from 'vitest/config';

// The SDK is pinned below the releases that need Node 22 (Lambda runs 22; this machine has 20);
// its per-process reminder of that says nothing about the code under test. Set before the global
// setup and the workers start, so both inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Apps built without a test's own log collector (the local runtime in e2e, the Lambda wiring) log
// every request through Powertools, which writes past vitest's capture: keep the run's output to
// the tests, warnings and errors still shown.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/bench/**'],
    // One DynamoDB Local (in memory) for the whole run; each test file makes its own table.
    globalSetup: ['test/integration/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
