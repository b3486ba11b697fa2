/**
 * Kafka errors that say "not yet" rather than "never": a broker that is still starting, a topic
 * just created whose partitions a broker does not host yet, a group coordinator still loading.
 * Start-up waits these out (bounded) instead of exiting.
 */
const TRANSIENT_TYPES = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION', // "This server does not host this topic-partition"
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REPLICA_NOT_AVAILABLE',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_CONTROLLER',
  'REQUEST_TIMED_OUT',
  'REBALANCE_IN_PROGRESS',
  'KAFKA_STORAGE_ERROR',
]);

const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSTimeout',
]);

interface KafkaLikeError {
  name?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
  errors?: unknown[];
}

export function isTransientKafkaError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as KafkaLikeError;
  if (e.name === 'KafkaJSAggregateError' && Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every(isTransientKafkaError);
  if ((e.type && TRANSIENT_TYPES.has(e.type)) || (e.name && TRANSIENT_NAMES.has(e.name))) return true;
  if (e.cause) return isTransientKafkaError(e.cause);
  return false;
}

export interface BackoffOptions {
  /** What is being attempted, for the final error ("topics of parser ready"). */
  what: string;
  /** Give up (throwing the last error) once this much time has passed. */
  timeoutMs: number;
  /** First delay; doubles each retry up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Errors worth another attempt; anything else is thrown at once. */
  isRetriable?: (error: unknown) => boolean;
  onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Runs fn until it resolves; a retriable failure is retried with doubling delays, bounded by timeoutMs. */
export async function retryWithBackoff<T>(fn: (attempt: number) => Promise<T>, options: BackoffOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const isRetriable = options.isRetriable ?? isTransientKafkaError;
  const deadline = now() + options.timeoutMs;
  let delay = options.initialDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      if (!isRetriable(caught)) throw error;
      const left = deadline - now();
      if (left <= 0) {
        throw new Error(`${options.what}: still failing after ${Math.round(options.timeoutMs / 1000)} s and ${attempt} attempts: ${error.message}`, {
          cause: error,
        });
      }
      const wait = Math.min(delay, left);
      options.onRetry?.(error, attempt, wait);
      await sleep(wait);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
