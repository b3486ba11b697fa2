import { CompressionTypes } from 'kafkajs';
import { encodedSize, permanentPublishFailure, type EncodedMessage, type MessagePublisher } from './message-publisher';

/** A message to send in order, with what its sender knows it by (an outbox row's id, a part's number). */
export interface OrderedMessage {
  message: EncodedMessage;
  /** encodedSize(message). */
  bytes: number;
}

export interface OrderedSendHandlers<T extends OrderedMessage> {
  /** The broker acknowledged these (one request), in order: record it before the next request goes. */
  acknowledged(group: T[]): Promise<void>;
  /** The broker can never take this one (over the publisher's maximum, or refused alone): keep it with the reason. */
  deadLetter(item: T, reason: string): Promise<void>;
  /** Stop before the next request (the one in flight is finished and recorded). */
  halted?: () => boolean;
}

/** A message as `sendInOrder` takes it, its size measured once. */
export function orderedMessage(message: EncodedMessage): OrderedMessage {
  return { message, bytes: encodedSize(message) };
}

/**
 * Sends messages in order, in produce requests of at most the publisher's `maxRequestBytes`
 * (bytes, not messages), GZIP-compressed (these are the large ones: outbox rows, a file's
 * events-changed parts). Each request is recorded as acknowledged before the next one goes, so a
 * failure part way re-sends nothing acknowledged. A message the broker can never take (over the
 * publisher's `maxMessageBytes`, or refused as too large or invalid when sent alone) is
 * dead-lettered and the rest go on. Any other failure (broker down) is thrown, to be retried.
 * Returns how many messages were sent or dead-lettered.
 */
export async function sendInOrder<T extends OrderedMessage>(publisher: MessagePublisher, items: readonly T[], handlers: OrderedSendHandlers<T>): Promise<number> {
  const { maxRequestBytes, maxMessageBytes } = publisher.limits;
  let handled = 0;
  let group: T[] = [];
  let groupBytes = 0;
  const sendGroup = async () => {
    if (group.length > 0 && !handlers.halted?.()) handled += await sendOrSplit(publisher, group, handlers);
    group = [];
    groupBytes = 0;
  };
  for (const item of items) {
    if (handlers.halted?.()) break;
    if (item.bytes > maxMessageBytes) {
      await sendGroup();
      await handlers.deadLetter(item, `message is ${item.bytes} bytes (key + value + headers), over the ${maxMessageBytes}-byte maximum a message may have`);
      handled += 1;
      continue;
    }
    if (group.length > 0 && groupBytes + item.bytes > maxRequestBytes) await sendGroup();
    group.push(item);
    groupBytes += item.bytes;
  }
  await sendGroup();
  return handled;
}

/**
 * One request for the group; on a permanent refusal of a group, each of its messages alone, in
 * order, so only the refused one is dead-lettered. A retryable failure is thrown.
 */
async function sendOrSplit<T extends OrderedMessage>(publisher: MessagePublisher, group: T[], handlers: OrderedSendHandlers<T>): Promise<number> {
  try {
    await publisher.send(
      group.map((item) => item.message),
      CompressionTypes.GZIP,
    );
  } catch (error) {
    const reason = permanentPublishFailure(error);
    if (reason === undefined) throw error;
    if (group.length === 1) {
      await handlers.deadLetter(group[0], reason);
      return 1;
    }
    let handled = 0;
    for (const item of group) handled += await sendOrSplit(publisher, [item], handlers);
    return handled;
  }
  await handlers.acknowledged(group);
  return group.length;
}
