import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lazyModuleHooks, packageFileCommands } from '../bundling/lazy-modules.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The shell command that rebuilds a bundle with the project's esbuild options (bundling/rebuild-cli.ts). */
function rebuildCommand(
  inputDir: string,
  entry: string,
  outfile: string,
  external: readonly string[],
  openApiGenerator: boolean,
): string {
  const { join: at } = posix;
  return [
    'node',
    quote(at(inputDir, 'node_modules', 'tsx', 'dist', 'cli.mjs')),
    quote(at(inputDir, 'infra', 'cloud', 'bundling', 'rebuild-cli.ts')),
    quote(inputDir),
    quote(at(inputDir, entry)),
    quote(outfile),
    quote(external.join(',')),
    ...(openApiGenerator ? [] : ['no-openapi-generator']),
  ].join(' ');
}

/** Repository root, resolved from this file so synth does not depend on the working directory. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `sweep` is what the scheduled sweep issues: reads, puts and updates, and the condition checks of
 * its TransactWriteItems; it never deletes, scans or batch-writes. `report` is the report job's:
 * it reads (never scans) and may put only report items (partition key `REPORT#…`).
 */
export type TableAccess = 'read' | 'readWrite' | 'sweep' | 'report' | 'delivery';

/** The delivery function reads notices, channels and settings (no Scan, no PutItem). */
export const DELIVERY_READ_ACTIONS = ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'] as const;
/** It claims deliveries, counts robot posts, holds and releases channels, and clears the outbox. */
export const DELIVERY_WRITE_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;
/** ...and only on these partitions (shared/db/keys.ts O1, N4, H4, L2). */
export const DELIVERY_ITEM_KEYS = ['NOTICE#*', 'CHANNEL#*', 'RATE#channel:*'] as const;

export const SWEEP_TABLE_ACTIONS = [
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** Append and read: events go in with the change's transaction (PutItem) and are listed by Query. */
export const AUDIT_ALLOWED_ACTIONS = ['dynamodb:PutItem', 'dynamodb:Query'] as const;
export const AUDIT_DENIED_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

export const REPORT_READ_ACTIONS = ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'] as const;
/** Head and parts of a report go in one TransactWriteItems, authorised per item as PutItem. */
export const REPORT_WRITE_ACTIONS = ['dynamodb:PutItem'] as const;
/** The partition keys the report job may write: its report items only (shared/db/keys.ts, R1). */
export const REPORT_ITEM_KEYS = 'REPORT#*';

export interface AppFunctionProps {
  /** Handler file, relative to the repository root (e.g. `functions/api/handler.ts`). */
  readonly entry: string;
  readonly table: dynamodb.ITable;
  /** The table access this function needs; nothing more is granted. */
  readonly tableAccess: TableAccess;
  /**
   * The audit table: every function that changes anything writes its events there (PutItem) and
   * may read them (Query); UpdateItem, DeleteItem and BatchWriteItem are explicitly denied, so no
   * code, however wrong, can rewrite or erase the record.
   */
  readonly auditTable: dynamodb.ITable;
  readonly description?: string;
  /** Extra environment; TABLE_NAME and NODE_OPTIONS are always set. */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Packages the code loads only with `await import()` on a rare path (exceljs for `format=xlsx`):
   * kept out of the main bundle and shipped beside it in `node_modules/` (bundling/lazy-modules.ts).
   */
  readonly lazyModules?: readonly string[];
  /**
   * Files the code reads at run time from installed packages, by package (the API docs page's
   * Swagger UI): copied into `<bundle>/<package>/`, where the code looks for them first.
   */
  readonly packageFiles?: Readonly<Record<string, readonly string[]>>;
  /**
   * False for a function that never serves the OpenAPI document (the API function): its bundle
   * leaves out the document generator (bundling/trim-plugins.ts). @default true
   */
  readonly openApiGenerator?: boolean;
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

    const external = ['@aws-sdk/*', ...(props.lazyModules ?? [])];
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
        externalModules: [...external],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            // The same build again through esbuild's JS API, with the project's plugins (function-build.ts).
            rebuildCommand(
              inputDir,
              props.entry,
              posix.join(outputDir, 'index.mjs'),
              external,
              props.openApiGenerator ?? true,
            ),
            ...(props.lazyModules?.length
              ? lazyModuleHooks(props.lazyModules).afterBundling(inputDir, outputDir)
              : []),
            ...Object.entries(props.packageFiles ?? {}).flatMap(([name, files]) =>
              packageFileCommands(name, files, inputDir, outputDir),
            ),
          ],
        },
      },
    });

    this.function.addEnvironment('AUDIT_TABLE_NAME', props.auditTable.tableName);
    const auditResources = [props.auditTable.tableArn, `${props.auditTable.tableArn}/index/*`];
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...AUDIT_ALLOWED_ACTIONS], resources: auditResources }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: [...AUDIT_DENIED_ACTIONS],
        resources: auditResources,
      }),
    );

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
      case 'delivery':
        this.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [...DELIVERY_READ_ACTIONS],
            resources: [props.table.tableArn, `${props.table.tableArn}/index/*`],
          }),
        );
        this.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [...DELIVERY_WRITE_ACTIONS],
            resources: [props.table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...DELIVERY_ITEM_KEYS] } },
          }),
        );
        break;
      case 'report':
        this.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [...REPORT_READ_ACTIONS],
            resources: [props.table.tableArn, `${props.table.tableArn}/index/*`],
          }),
        );
        this.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [...REPORT_WRITE_ACTIONS],
            resources: [props.table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [REPORT_ITEM_KEYS] } },
          }),
        );
        break;
    }
  }
}
