import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { EngineCredentials } from '../../infra/local/engine-key.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** The engine's key: its tables answer only to it. */
    dynamoCredentials: EngineCredentials;
  }
}

/**
 * Starts one in-memory DynamoDB Local for the whole test run; test files read it with `inject`. It
 * gets a new random key like every engine (it too listens on every interface while the run lasts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoDbLocal({});
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('dynamoCredentials', dynamo.credentials);
  return () => dynamo.stop();
}
