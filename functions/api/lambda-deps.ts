import type { AppDeps } from './app.js';

export async function loadLambdaDeps(): Promise<AppDeps> {
  return {};
}
