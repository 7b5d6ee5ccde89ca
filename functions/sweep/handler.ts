import { parseSweepEvent, runScheduledSweep } from './sweep.js';
import { loadSweepDeps } from './sweep-deps.js';

const deps = loadSweepDeps();

/** EventBridge Scheduler entry: parse the event, sweep, log a one-line summary. */
export const handler = async (event: unknown) => runScheduledSweep(deps, parseSweepEvent(event), new Date());
