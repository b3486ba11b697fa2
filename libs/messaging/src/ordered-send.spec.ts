import { MessageTooLargeError, type EncodedMessage, type MessagePublisher } from './message-publisher';
import { orderedMessage, sendInOrder, type OrderedMessage } from './ordered-send';

type Item = OrderedMessage & { n: number };

/** A publisher that records each request; `refuse` decides what the broker does with one. */
function publisher(refuse: (request: EncodedMessage[]) => Error | undefined = () => undefined, limits = { maxRequestBytes: 100, maxMessageBytes: 150 }) {
  const requests: string[][] = [];
  const fake = {
    limits,
    send: jest.fn(async (messages: EncodedMessage[]) => {
      const error = refuse(messages);
      if (error) throw error;
      requests.push(messages.map((message) => String(message.value)));
    }),
  };
  return { publisher: fake as unknown as MessagePublisher, requests };
}

const items = (...sizes: number[]): Item[] => sizes.map((size, n) => ({ n, ...orderedMessage({ topic: 't', key: null, value: String(n).padEnd(size, '.') }) }));
const brokerRefusal = () => Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });

describe('sendInOrder', () => {
  it('sends in order, in requests of at most maxRequestBytes, each acknowledged before the next goes', async () => {
    const { publisher: sender, requests } = publisher();
    const acknowledged: number[][] = [];
    const handled = await sendInOrder(sender, items(40, 40, 40, 90, 10), {
      acknowledged: async (group) => {
        acknowledged.push(group.map((item) => item.n));
        expect(requests).toHaveLength(acknowledged.length);
      },
      deadLetter: async () => fail('nothing is refused'),
    });
    expect(handled).toBe(5);
    expect(acknowledged).toEqual([[0, 1], [2], [3, 4]]);
  });

  it('dead-letters a message over maxMessageBytes without sending it, and the rest go on in order', async () => {
    const { publisher: sender } = publisher();
    const sent: number[] = [];
    const dead: Array<[number, string]> = [];
    const handled = await sendInOrder(sender, items(30, 200, 30), {
      acknowledged: async (group) => void sent.push(...group.map((item) => item.n)),
      deadLetter: async (item, reason) => void dead.push([item.n, reason]),
    });
    expect(handled).toBe(3);
    expect(sent).toEqual([0, 2]);
    expect(dead).toEqual([[1, 'message is 200 bytes (key + value + headers), over the 150-byte maximum a message may have']]);
  });

  it('on a permanent refusal of a request, sends its messages one by one and dead-letters only the refused one', async () => {
    const { publisher: sender } = publisher((request) => (request.some((message) => String(message.value).startsWith('1')) ? brokerRefusal() : undefined));
    const sent: number[][] = [];
    const dead: number[] = [];
    await sendInOrder(sender, items(30, 30, 30), {
      acknowledged: async (group) => void sent.push(group.map((item) => item.n)),
      deadLetter: async (item, reason) => {
        expect(reason).toMatch(/^broker refused the message: MESSAGE_TOO_LARGE/);
        dead.push(item.n);
      },
    });
    expect(sent).toEqual([[0], [2]]);
    expect(dead).toEqual([1]);
  });

  it('throws a failure worth retrying after acknowledging what went before it, and dead-letters nothing', async () => {
    let calls = 0;
    const { publisher: sender } = publisher(() => (++calls === 2 ? new Error('broker down') : undefined));
    const sent: number[][] = [];
    const deadLetter = jest.fn();
    await expect(sendInOrder(sender, items(60, 60, 60), { acknowledged: async (group) => void sent.push(group.map((item) => item.n)), deadLetter })).rejects.toThrow('broker down');
    expect(sent).toEqual([[0]]);
    expect(deadLetter).not.toHaveBeenCalled();
  });

  it('treats the publisher refusing a message as too large as permanent', async () => {
    const { publisher: sender } = publisher(() => new MessageTooLargeError(120, 100));
    const dead: number[] = [];
    await sendInOrder(sender, items(20), { acknowledged: async () => fail('refused'), deadLetter: async (item) => void dead.push(item.n) });
    expect(dead).toEqual([0]);
  });

  it('stops before the next request once halted', async () => {
    const { publisher: sender, requests } = publisher();
    let halted = false;
    const handled = await sendInOrder(sender, items(60, 60, 60), {
      halted: () => halted,
      acknowledged: async () => {
        halted = true;
      },
      deadLetter: async () => undefined,
    });
    expect(handled).toBe(1);
    expect(requests).toHaveLength(1);
  });
});
