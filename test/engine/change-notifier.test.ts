import { afterEach, describe, expect, it } from 'vitest';
import { ChangeNotifier } from '../../src/engine/change-notifier.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChangeNotifier', () => {
  let notifier: ChangeNotifier | undefined;
  afterEach(() => notifier?.close());

  it('batches a burst of changes into at most one call per interval, and loses none', async () => {
    notifier = new ChangeNotifier(100);
    const calls: number[] = [];
    notifier.subscribe(() => calls.push(Date.now()));
    const start = Date.now();
    // 500 changes over about a second, as 26 busy uploads would make.
    while (Date.now() - start < 1000) {
      notifier.changed();
      await sleep(2);
    }
    const lastChange = Date.now();
    await sleep(250);
    // Ten a second at most (a slow machine only makes fewer)...
    expect(calls.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < calls.length; i++) {
      expect((calls[i] ?? 0) - (calls[i - 1] ?? 0)).toBeGreaterThanOrEqual(95);
    }
    // ...and the last change is always told.
    expect(calls.at(-1)).toBeGreaterThanOrEqual(lastChange - 100);
  });

  it('tells every subscriber, and none after unsubscribing or closing', async () => {
    notifier = new ChangeNotifier(20);
    let a = 0;
    let b = 0;
    const stopA = notifier.subscribe(() => a++);
    notifier.subscribe(() => b++);
    notifier.changed();
    await sleep(60);
    expect([a, b]).toEqual([1, 1]);
    stopA();
    notifier.changed();
    await sleep(60);
    expect([a, b]).toEqual([1, 2]);
    notifier.changed();
    notifier.close();
    await sleep(60);
    expect(b).toBe(2);
  });
});
