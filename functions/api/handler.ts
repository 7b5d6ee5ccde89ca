import { handle } from 'hono/aws-lambda';
import { createApp } from './app.js';
import { loadLambdaDeps } from './lambda-deps.js';

export const handler = handle(createApp(await loadLambdaDeps()));
