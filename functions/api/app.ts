import { OpenAPIHono } from '@hono/zod-openapi';

// biome-ignore lint/complexity/noBannedTypes: placeholder until the deps interface lands
export type AppDeps = {};

export function createApp(_deps: AppDeps) {
  const app = new OpenAPIHono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  return app;
}
