import { permanentPublishFailure } from './message-publisher';

/**
 * How the consumer treats a handler's failure:
 * - `permanent`: the message can never succeed (a content problem): dead-lettered at once;
 * - `transient`: the infrastructure is away (database or broker down, restarting, a leader
 *   moving): retried with backoff until it is back, up to the transient limit (minutes);
 * - `membership`: this consumer lost its group membership (rebalance, session expired): the work
 *   cannot be committed from here, so it is handed back to kafkajs, which re-joins and the message
 *   is redelivered to whoever owns the partition now;
 * - `unexpected`: anything else: a bounded number of attempts, then dead-lettered.
 */
export type FailureKind = 'permanent' | 'transient' | 'membership' | 'unexpected';

/** Which part of the platform a transient failure could not reach (for the file's reason). */
export type Unreachable = 'database' | 'broker';

export interface Classification {
  kind: FailureKind;
  /** For `transient`: what could not be reached. */
  unreachable?: Unreachable;
}

/** Thrown by a handler for a message that can never succeed: it goes to the dead-letter topic at once. */
export class PermanentMessageError extends Error {
  override name = 'PermanentMessageError';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED', 'ENOTCONN']);

/**
 * PostgreSQL SQLSTATEs meaning "not now": class 08 (connection exception), 57P01-57P03 (the server
 * is shutting down, crashed, or not accepting connections yet), 53300 (too many connections), and
 * 40001/40P01 (serialization failure, deadlock: the transaction may simply be run again).
 */
const PG_TRANSIENT = /^(08...|57P01|57P02|57P03|53300|40001|40P01)$/;

/** Words of pg / pg-pool / TypeORM for a lost or unobtainable connection. */
const DB_CONNECTION_TEXT =
  /terminating connection|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery)|Query read timeout|connection is closed/i;

/** Kafka group membership: this member's work can no longer be committed. */
const MEMBERSHIP_TYPES = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID', 'NOT_COORDINATOR_FOR_GROUP']);

/** kafkajs errors that mean the broker (or a leader, or the coordinator) is away for now. */
const KAFKA_TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSLockTimeout',
  'KafkaJSGroupCoordinatorNotFound',
]);

/** The error and the errors it wraps (`cause`, TypeORM's `driverError`, kafkajs' `originalError`). */
function chain(error: unknown): object[] {
  const out: object[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && out.length < 10) {
    const current = pending.shift();
    if (!current || typeof current !== 'object' || out.includes(current)) continue;
    out.push(current);
    const record = current as { cause?: unknown; driverError?: unknown; originalError?: unknown; errors?: unknown };
    pending.push(record.cause, record.driverError, record.originalError);
    if (Array.isArray(record.errors)) pending.push(...record.errors.slice(0, 3));
  }
  return out;
}

const isKafkaError = (error: object) => typeof (error as { name?: unknown }).name === 'string' && (error as { name: string }).name.startsWith('KafkaJS');

/**
 * Classifies a handler's failure (see FailureKind). A plain function of the error, its wrapped
 * causes, their names, codes and messages: no state, no I/O.
 */
export function classifyFailure(error: unknown): Classification {
  const errors = chain(error);
  if (errors.some((e) => e instanceof PermanentMessageError || (e as Error).name === 'PermanentMessageError')) return { kind: 'permanent' };
  if (permanentPublishFailure(error) !== undefined) return { kind: 'permanent' };

  for (const e of errors) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && MEMBERSHIP_TYPES.has(type)) return { kind: 'membership' };
  }

  for (const e of errors) {
    const { code, name, message, retriable } = e as { code?: unknown; name?: unknown; message?: unknown; retriable?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string' && PG_TRANSIENT.test(code)) return { kind: 'transient', unreachable: 'database' };
    if (DB_CONNECTION_TEXT.test(text)) return { kind: 'transient', unreachable: 'database' };
    if (typeof name === 'string' && KAFKA_TRANSIENT_NAMES.has(name)) return { kind: 'transient', unreachable: 'broker' };
    // A broker protocol error kafkajs marks retriable: NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE,
    // COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, REQUEST_TIMED_OUT, NETWORK_EXCEPTION, ...
    if (isKafkaError(e) && retriable === true && typeof (e as { type?: unknown }).type === 'string') return { kind: 'transient', unreachable: 'broker' };
    // kafkajs wraps its own socket errors (KafkaJSConnectionError), so a bare socket error is the
    // database's (pg reports a refused or reset connection as the socket's own error).
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return { kind: 'transient', unreachable: errors.some(isKafkaError) ? 'broker' : 'database' };
    if (/\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE)\b/.test(text)) {
      return { kind: 'transient', unreachable: errors.some(isKafkaError) ? 'broker' : 'database' };
    }
  }
  // kafkajs gave up retrying something it considered retriable (e.g. every broker refused connections).
  if (errors.some((e) => (e as Error).name === 'KafkaJSNumberOfRetriesExceeded' && errors.some((inner) => inner !== e && (inner as { retriable?: unknown }).retriable === true))) {
    return { kind: 'transient', unreachable: 'broker' };
  }
  return { kind: 'unexpected' };
}

/** The reason a file's report gives when its stage could not reach the infrastructure for the whole transient limit. */
export function transientLimitReason(unreachable: Unreachable | undefined, minutes: number): string {
  const what = unreachable === 'broker' ? 'its message broker (Kafka)' : unreachable === 'database' ? 'its database' : 'its database or message broker';
  return `the platform could not reach ${what} for ${formatMinutes(minutes)}; the file can be replayed`;
}

export function formatMinutes(minutes: number): string {
  const rounded = Math.round(minutes * 10) / 10;
  return rounded === 1 ? '1 minute' : `${rounded} minutes`;
}
