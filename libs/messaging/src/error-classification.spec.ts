import { createServer } from 'node:net';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { Client } from 'pg';
import { DatabaseError } from 'pg-protocol';
import { QueryFailedError } from 'typeorm';
import { classifyFailure, PermanentMessageError, transientLimitReason } from './error-classification';
import { MessageTooLargeError } from './message-publisher';

const protocolError = (type: string, retriable: boolean, message = type) =>
  new KafkaJSProtocolError({ type, code: 1, retriable, message } as unknown as Error);

const pgError = (code: string, message: string) => {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
};

const viaTypeOrm = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

/** A real refused connection: pg against a port nothing listens on. */
async function refusedConnection(): Promise<Error> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const client = new Client({ host: '127.0.0.1', port, user: 'x', database: 'x', connectionTimeoutMillis: 2000 });
  return client.connect().then(
    () => new Error('unexpectedly connected'),
    (error: Error) => error,
  );
}

describe('classifyFailure', () => {
  it('content problems are permanent', () => {
    expect(classifyFailure(new PermanentMessageError('value is not JSON')).kind).toBe('permanent');
    expect(classifyFailure(new MessageTooLargeError(20_000_000, 10_000_000)).kind).toBe('permanent');
    expect(classifyFailure(new KafkaJSNumberOfRetriesExceeded(protocolError('MESSAGE_TOO_LARGE', false), { retryCount: 5, retryTime: 100 })).kind).toBe('permanent');
  });

  it('a refused database connection, as pg really reports it, is transient (database)', async () => {
    const error = await refusedConnection();
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(classifyFailure(error)).toEqual({ kind: 'transient', unreachable: 'database' });
    expect(classifyFailure(viaTypeOrm(error))).toEqual({ kind: 'transient', unreachable: 'database' });
  });

  it.each([
    ['57P01 terminating connection due to administrator command', pgError('57P01', 'terminating connection due to administrator command')],
    ['57P03 the database system is starting up', pgError('57P03', 'the database system is starting up')],
    ['08006 connection failure', pgError('08006', 'connection failure')],
    ['08001 via TypeORM', viaTypeOrm(pgError('08001', 'could not connect'))],
    ['40P01 deadlock', pgError('40P01', 'deadlock detected')],
    ['Connection terminated unexpectedly', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['ECONNRESET by code', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['ETIMEDOUT in the text', new Error('connect ETIMEDOUT 10.0.0.1:5432')],
  ])('database away: %s', (_name, error) => {
    expect(classifyFailure(error)).toEqual({ kind: 'transient', unreachable: 'database' });
  });

  it.each([
    ['KafkaJSConnectionError', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')],
    ['KafkaJSRequestTimeoutError', new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')],
    ['NOT_LEADER_FOR_PARTITION', protocolError('NOT_LEADER_FOR_PARTITION', true)],
    ['LEADER_NOT_AVAILABLE', protocolError('LEADER_NOT_AVAILABLE', true)],
    ['COORDINATOR_NOT_AVAILABLE', protocolError('COORDINATOR_NOT_AVAILABLE', true)],
    [
      'retries exhausted on a connection error',
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { retryCount: 5, retryTime: 100 }),
    ],
    ['retries exhausted on a leadership move', new KafkaJSNumberOfRetriesExceeded(protocolError('NOT_LEADER_FOR_PARTITION', true), { retryCount: 5, retryTime: 100 })],
  ])('broker away: %s', (_name, error) => {
    expect(classifyFailure(error)).toEqual({ kind: 'transient', unreachable: 'broker' });
  });

  it.each([
    ['UNKNOWN_MEMBER_ID', protocolError('UNKNOWN_MEMBER_ID', false, 'The coordinator is not aware of this member')],
    ['REBALANCE_IN_PROGRESS', protocolError('REBALANCE_IN_PROGRESS', true)],
    ['ILLEGAL_GENERATION', protocolError('ILLEGAL_GENERATION', false)],
  ])('group membership lost: %s', (_name, error) => {
    expect(classifyFailure(error).kind).toBe('membership');
  });

  it.each([
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a constraint violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a non-retriable kafkajs error', new KafkaJSNonRetriableError('Invalid partition metadata')],
    ['a retriable kafkajs error without a broker type', new KafkaJSError('something odd')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('anything else is unexpected: %s', (_name, error) => {
    expect(classifyFailure(error).kind).toBe('unexpected');
  });

  it('survives cyclic causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b') as Error & { cause?: unknown };
    a.cause = b;
    b.cause = a;
    expect(classifyFailure(a).kind).toBe('unexpected');
  });
});

describe('transientLimitReason', () => {
  it('names what was unreachable and how long, and that the file can be replayed', () => {
    expect(transientLimitReason('database', 10)).toBe('the platform could not reach its database for 10 minutes; the file can be replayed');
    expect(transientLimitReason('broker', 1)).toBe('the platform could not reach its message broker (Kafka) for 1 minute; the file can be replayed');
  });
});
