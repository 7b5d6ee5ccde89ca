/**
 * The cold-start baseline of test/bench/bundle.ts: the least a Lambda behind the HTTP API does with
 * this stack — a Hono app on the Lambda adapter reading one item through lib-dynamodb. Bundled with
 * the functions' own esbuild options and loaded the same way, so the ratio says what the app adds.
 * Bench code only: it is never deployed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const app = new Hono();
app.get('/items/:id', async (c) => {
  const { Item } = await doc.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: c.req.param('id'), sk: 'ITEM' } }),
  );
  return Item === undefined ? c.json({ error: { code: 'not_found' } }, 404) : c.json(Item);
});

export const handler = handle(app);
