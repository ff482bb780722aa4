/**
 * aws-local-stepfunctions 3 calls `Promise.withResolvers` (Node ≥ 22); Node 20 lacks it. Installed
 * here, by the local runner just before it loads the interpreter, and nowhere else: the rest of
 * megashard never relies on it.
 */
export function installPromiseWithResolvers(): void {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
