import { getFaceApi, getTf, initTf, type Tf } from '../../../src/ml/tf';

describe('initTf', () => {
  it('refuses to hand out tf or face-api before initialisation', () => {
    expect(() => getTf()).toThrow(/before initTf/);
    expect(() => getFaceApi()).toThrow(/before initTf/);
  });

  it('initialises once, on WASM here, and concurrent callers share the result', async () => {
    const [a, b] = await Promise.all([initTf(), initTf()]);
    expect(a).toEqual({ backend: 'wasm' });
    expect(b).toBe(a);
    expect(await initTf()).toBe(a);
    expect(getTf().getBackend()).toBe('wasm');
  });

  it('loads face-api on demand onto the same engine and backend', async () => {
    await initTf();
    const tf = getTf();
    // face-api's bundle re-exports the @tensorflow/tfjs union, a different module object over the
    // same tfjs-core engine: tensors made through either are counted and computed in one place.
    const faceApiTf = getFaceApi().tf as unknown as Tf;
    expect(faceApiTf.engine()).toBe(tf.engine());
    expect(faceApiTf.getBackend()).toBe('wasm');
    expect(getFaceApi()).toBe(getFaceApi());
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
