/** `npm start`: the service on this machine, on the embedded DynamoDB Local. */
import { parseLocalConfig } from '../../shared/config.js';
import { startLocalRuntime } from './runtime.js';
import { rehearsalClock } from './scheduler.js';

async function main() {
  // The SDK reminds every Node 20 process that its 2027 releases need Node 22. Lambda runs 22 and
  // the SDK is pinned below that line, so on a Node 20 workstation the reminder is only noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = parseLocalConfig();
  const runtime = await startLocalRuntime({
    port: config.PORT,
    host: config.HOST,
    dataDir: config.DUBAN_DATA_DIR,
    devSecret: config.DUBAN_DEV_SECRET,
    tableName: config.DUBAN_TABLE_NAME,
    clock: rehearsalClock(config.DUBAN_NOW),
    rateLimitPerMinute: config.DUBAN_RATE_LIMIT_PER_MINUTE,
    engineHeap: config.DUBAN_DYNAMODB_HEAP,
    onSweep: (r) => {
      if (r.written > 0 || r.occurrencesCreated > 0) {
        console.log(
          `巡检 sweep @ ${r.asOf}: 写出通知 ${r.written} 条, 生成周期任务 ${r.occurrencesCreated} 条` +
            (r.calendarFallbackYears.length > 0
              ? `(${r.calendarFallbackYears.join('、')} 年无官方节假日数据,按周一至周五计)`
              : ''),
        );
      }
    },
  });
  const lines = [
    `duban 督办 已启动: ${runtime.url}`,
    `  接口文档 API docs: ${runtime.url}/docs   OpenAPI: ${runtime.url}/openapi.json`,
    `  数据 data: ${config.DUBAN_DATA_DIR === 'memory' ? '内存 (in memory)' : config.DUBAN_DATA_DIR}`,
    `  DynamoDB Local: ${runtime.dynamoEndpoint} (random free port, on all interfaces: DynamoDB Local cannot bind to loopback only; its data answers only to this folder's random key)`,
    runtime.seeded
      ? `  已载入演示工作方案 demo plan loaded: ${runtime.seeded.planId} (${runtime.seeded.units} units, ${runtime.seeded.tasks} tasks)`
      : '  已有数据,未重复载入演示方案 (existing data kept)',
    '  令牌 token: npm run --silent token -- --role office',
    `  到期巡检 due-date sweep: 每 15 分钟 every 15 minutes${config.DUBAN_NOW ? `;演练时钟 rehearsal clock from ${config.DUBAN_NOW}` : ''}`,
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: 正在停止 stopping…`);
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`启动失败 failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
