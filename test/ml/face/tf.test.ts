import { getFaceApi, getTf, initTf } from '../../../src/ml/tf';

describe('initTf', () => {
  it('refuses to hand out face-api before initialisation', () => {
    expect(() => getFaceApi()).toThrow(/before initTf/);
  });

  it('initialises once, on WASM here, and concurrent callers share the result', async () => {
    const [a, b] = await Promise.all([initTf(), initTf()]);
    expect(a).toEqual({ backend: 'wasm' });
    expect(b).toBe(a);
    expect(await initTf()).toBe(a);
    expect(getTf().getBackend()).toBe('wasm');
  });

  it('gives face-api the same tf instance it hands out', async () => {
    await initTf();
    const tf = getTf();
    expect(getFaceApi().tf).toBe(tf);
    const before = tf.memory().numTensors;
    const t = getFaceApi().tf.zeros([2, 2]);
    expect(tf.memory().numTensors).toBe(before + 1);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves no process-wide error listeners behind from the WASM runtime', async () => {
    await initTf();
    const listeners = [...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')];
    const rethrowers = listeners.filter((listener) => /throw (reason|ex)/.test(String(listener)));
    expect(rethrowers).toEqual([]);
  });
});
