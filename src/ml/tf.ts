/**
 * One TensorFlow.js runtime for the whole process.
 *
 * Native tfjs-node is preferred where it is installed (it is not here: it downloads libtensorflow from
 * outside npm); otherwise tfjs-core + the WASM backend, which needs no native code. The face nets run
 * on tfjs-core alone (src/ml/face/nets load face-api's weight files themselves), so the
 * `@tensorflow/tfjs` union (layers, converter, data, CPU and WebGL backends) and face-api's bundle
 * are not loaded for inference: that saved ~35 MB resident. face-api stays available on demand
 * (`getFaceApi`) for scripts and tests that compare against it; it computes on the same engine.
 *
 * The tf bundles are required with source maps off: under tsx (or `--enable-source-maps`) Node parses
 * every loaded file's source map and keeps it, ~30 MB of JS heap for tfjs' inline maps, which every
 * full garbage collection then marks again.
 */
import type * as FaceApi from '@vladmandic/face-api';
import { pretrainedPath } from './pretrained';

/** The face-api module type; its `tf` member is a tfjs instance on the same engine as `getTf()`. */
export type FaceApiModule = typeof FaceApi;

/** The tfjs API the project computes with (tfjs-core; tfjs-node exposes the same API). */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** What `initTf` settled on. */
export interface TfRuntime {
  /** tfjs backend name: `tensorflow` (native) or `wasm`. */
  backend: string;
}

let runtime: Promise<TfRuntime> | null = null;
let tf: Tf | null = null;
let native = false;
let faceApi: FaceApiModule | null = null;

function canResolve(id: string): boolean {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

/**
 * `require` with Node's source-map support off for the duration (restored after). Through
 * `module.require`, so jest's module registry (which tests' own tfjs imports share) serves it too.
 */
function requireWithoutSourceMaps<T>(id: string): T {
  const enabled = process.sourceMapsEnabled;
  if (enabled) process.setSourceMapsEnabled(false);
  try {
    return module.require(id) as T;
  } finally {
    if (enabled) process.setSourceMapsEnabled(true);
  }
}

/** The backend's three .wasm binaries by the names tfjs asks for, as pinned in models/manifest.json. */
function wasmFiles(): Record<
  'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm',
  string
> {
  const file = (name: string) => pretrainedPath('@tensorflow/tfjs-backend-wasm', `dist/${name}`);
  return {
    'tfjs-backend-wasm.wasm': file('tfjs-backend-wasm.wasm'),
    'tfjs-backend-wasm-simd.wasm': file('tfjs-backend-wasm-simd.wasm'),
    'tfjs-backend-wasm-threaded-simd.wasm': file('tfjs-backend-wasm-threaded-simd.wasm'),
  };
}

async function initNative(): Promise<TfRuntime> {
  // tfjs-node registers the `tensorflow` backend and re-exports the whole tfjs API.
  const loaded = requireWithoutSourceMaps<Tf>('@tensorflow/tfjs-node');
  await loaded.ready();
  tf = loaded;
  native = true;
  return { backend: loaded.getBackend() };
}

type ProcessHook = 'uncaughtException' | 'unhandledRejection';
const PROCESS_HOOKS: readonly ProcessHook[] = ['uncaughtException', 'unhandledRejection'];

/**
 * Run `init` and then remove the process-wide error listeners the Emscripten runtime of the WASM
 * backend installs when it starts (`uncaughtException` and `unhandledRejection` handlers that
 * rethrow). They would turn any stray rejection anywhere in the bot into a crash even where the bot
 * installs its own logging handler. Only listeners added during `init` are removed.
 */
async function withoutRuntimeHooks<T>(init: () => Promise<T>): Promise<T> {
  const before = new Map(PROCESS_HOOKS.map((event) => [event, new Set(listenersOf(event))]));
  try {
    return await init();
  } finally {
    for (const event of PROCESS_HOOKS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

function listenersOf(event: ProcessHook): readonly unknown[] {
  return event === 'uncaughtException'
    ? process.listeners('uncaughtException')
    : process.listeners('unhandledRejection');
}

async function initWasm(): Promise<TfRuntime> {
  const core = requireWithoutSourceMaps<Tf>('@tensorflow/tfjs-core');
  const wasm = requireWithoutSourceMaps<typeof import('@tensorflow/tfjs-backend-wasm')>(
    '@tensorflow/tfjs-backend-wasm',
  );
  // File paths plus usePlatformFetch=false: tfjs reads the .wasm with fs, no network. tfjs
  // picks the SIMD binary when the engine validates SIMD (Node 22 does) and never the threaded one
  // under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there). Forcing it was measured and rejected:
  // its pthread workers are Blob URLs that Node's Worker refuses (ERR_WORKER_PATH); patched around,
  // its fixed pool of 8 workers added ~107 MB resident and XNNPACK still reported 1 thread.
  wasm.setWasmPaths(wasmFiles());
  const okBackend = await withoutRuntimeHooks(() => core.setBackend('wasm'));
  if (!okBackend) throw new Error('tfjs: the WASM backend failed to initialise');
  await core.ready();
  tf = core;
  return { backend: core.getBackend() };
}

/**
 * Initialise TensorFlow.js once (idempotent; concurrent callers share one promise) and return the
 * backend in use: native tfjs-node when it can be resolved, else WASM (SIMD where supported).
 */
export function initTf(): Promise<TfRuntime> {
  runtime ??= (canResolve('@tensorflow/tfjs-node') ? initNative() : initWasm()).catch((error: unknown) => {
    // Let a later call retry instead of caching a failure forever.
    runtime = null;
    tf = null;
    throw error;
  });
  return runtime;
}

/** The tfjs instance the face pipeline computes with. Call `initTf()` first. */
export function getTf(): Tf {
  if (!tf) throw new Error('getTf() before initTf() resolved');
  return tf;
}

/**
 * face-api, loaded on first use, bound to the initialised runtime (its bundle for that runtime
 * requires the same tfjs packages, so it computes on the same engine and backend). Only scripts and
 * tests use it; the pipeline does not, which is why the `@tensorflow/tfjs` union that bundle requires
 * is a devDependency. Call `initTf()` first.
 */
export function getFaceApi(): FaceApiModule {
  if (!tf) throw new Error('getFaceApi() before initTf() resolved');
  faceApi ??= requireWithoutSourceMaps<FaceApiModule>(
    native ? '@vladmandic/face-api/dist/face-api.node.js' : '@vladmandic/face-api/dist/face-api.node-wasm.js',
  );
  return faceApi;
}
