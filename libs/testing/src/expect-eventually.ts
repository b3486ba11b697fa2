/**
 * Polls `probe` (every `intervalMs`) until it stops throwing, and returns what it then returns,
 * whatever that is (a falsy value too); once `timeoutMs` has passed, the last failure is thrown.
 * Never a fixed sleep.
 */
export async function expectEventually<T>(probe: () => Promise<T> | T, { timeoutMs = 30_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
