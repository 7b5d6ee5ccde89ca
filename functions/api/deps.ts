import type { TokenVerifier } from '../../shared/auth/tokens.js';
import type { EvidenceService } from '../../shared/services/evidence-service.js';
import type { Services } from '../../shared/services/index.js';
import type { RateLimiter } from '../../shared/services/rate-limiter.js';
import type { WebOptions } from '../web/web-options.js';

/** Everything the HTTP app needs, injected so Lambda, the local server and tests share one app. */
export interface AppDeps extends Services {
  verifyToken: TokenVerifier;
  /** The business clock: due times, current phase and overdue are computed against it. */
  clock: () => Date;
  /** Where unexpected errors are reported; defaults to the Powertools logger (shared/log.ts). */
  logError?: (entry: Record<string, unknown>) => void;
  /**
   * One structured line per request (request id, method, path, status, time, and who — never the
   * token); defaults to the Powertools logger, one JSON line CloudWatch indexes. Tests collect them.
   */
  logRequest?: (entry: Record<string, unknown>) => void;
  /** The pages' options; the demo sign-in exists only where the local runtime provides it. */
  web?: WebOptions;
  /** Evidence uploads: the S3 bucket in AWS, the data folder locally and in tests. */
  evidence: EvidenceService;
  /** Per-principal request budget on /v1 (429 once spent). Absent: no per-principal limit. */
  rateLimit?: RateLimiter | undefined;
}
