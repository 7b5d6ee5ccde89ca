import { App } from 'aws-cdk-lib';
import { DubanStack } from './duban-stack.js';

const app = new App();

// `cdk deploy -c region=cn-northwest-1` overrides the profile's region.
const contextRegion: unknown = app.node.tryGetContext('region');
const region =
  typeof contextRegion === 'string' && contextRegion !== ''
    ? contextRegion
    : (process.env.CDK_DEPLOY_REGION ?? process.env.CDK_DEFAULT_REGION);
const account = process.env.CDK_DEPLOY_ACCOUNT ?? process.env.CDK_DEFAULT_ACCOUNT;

new DubanStack(app, 'DubanStack', {
  env: { account, region },
  description: 'duban: task tracking and accountability for campaign plans',
});
