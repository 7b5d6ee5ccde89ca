import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Repository root, resolved from this file so synth does not depend on the working directory. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `sweep` is what the scheduled sweep issues: reads, puts and updates, and the condition checks of
 * its TransactWriteItems; it never deletes, scans or batch-writes.
 */
export type TableAccess = 'read' | 'readWrite' | 'sweep';

export const SWEEP_TABLE_ACTIONS = [
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface AppFunctionProps {
  /** Handler file, relative to the repository root (e.g. `functions/api/handler.ts`). */
  readonly entry: string;
  readonly table: dynamodb.ITable;
  /** The table access this function needs; nothing more is granted. */
  readonly tableAccess: TableAccess;
  readonly description?: string;
  /** Extra environment; TABLE_NAME and NODE_OPTIONS are always set. */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Lambda function with the project's defaults: Node.js 22 on ARM64, bundled locally by esbuild
 * as minified ESM with source maps, its own log group with a retention, and a table grant limited
 * to the access level asked for.
 */
export class AppFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      description: props.description,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        TABLE_NAME: props.table.tableName,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        // ESM because the handlers use top-level await; the banner gives bundled CommonJS
        // dependencies the `require` that ESM lacks.
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // SDK v3 ships in the Node.js 22 runtime.
        externalModules: ['@aws-sdk/*'],
      },
    });

    switch (props.tableAccess) {
      case 'readWrite':
        props.table.grantReadWriteData(this.function);
        break;
      case 'read':
        props.table.grantReadData(this.function);
        break;
      case 'sweep':
        this.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [...SWEEP_TABLE_ACTIONS],
            resources: [props.table.tableArn, `${props.table.tableArn}/index/*`],
          }),
        );
        break;
    }
  }
}
