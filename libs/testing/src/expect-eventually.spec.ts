import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  it("returns the probe's value at once when it does not throw, calling it once", async () => {
    const probe = jest.fn(() => 42);
    await expect(expectEventually(probe)).resolves.toBe(42);
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('polls until the probe stops throwing, and returns what it then returns', async () => {
    let calls = 0;
    const value = await expectEventually(
      async () => {
        calls++;
        if (calls < 4) throw new Error(`not yet (${calls})`);
        return 'ready';
      },
      { timeoutMs: 5_000, intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(4);
  });

  it('accepts a falsy value: only a throw means "not yet"', async () => {
    await expect(expectEventually(() => 0, { timeoutMs: 0 })).resolves.toBe(0);
    await expect(expectEventually(() => undefined, { timeoutMs: 0 })).resolves.toBeUndefined();
  });

  it('throws the last failure once the deadline has passed, having kept trying until then', async () => {
    let calls = 0;
    const started = Date.now();
    const failure = await expectEventually(
      () => {
        calls++;
        throw new Error(`still failing (${calls})`);
      },
      { timeoutMs: 60, intervalMs: 5 },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toEqual(new Error(`still failing (${calls})`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(calls).toBeGreaterThan(2);
  });

  it('fails with the assertion error of an expect() inside the probe', async () => {
    await expect(expectEventually(() => expect(1 + 1).toBe(3), { timeoutMs: 20, intervalMs: 5 })).rejects.toMatchObject({
      matcherResult: { pass: false, actual: 2, expected: 3 },
    });
  });
});
