/**
 * Settles with `work`, or rejects with `timeout()` after `ms`. The timer is unref'd, so a pending
 * deadline never keeps a process alive, and cleared as soon as `work` settles. `work` itself goes
 * on: a deadline bounds how long the caller waits, not what was already sent.
 */
export const withDeadline = <T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeout()), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
