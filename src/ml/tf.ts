/**
 * One TensorFlow.js runtime for the whole process, and the face-api build that runs on it.
 *
 * face-api ships one bundle per runtime and each bundle `require`s its own tfjs flavour, so the bundle
 * must match the backend chosen here, or face-api would run on a second, unconfigured tf instance.
 * Native tfjs-node is preferred where it is installed (it is not here: it downloads libtensorflow from
 * outside npm); otherwise tfjs + the WASM backend, which needs no native code.
 */
import path from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';

/** The face-api module type; its `tf` member is the tfjs instance it computes with. */
export type FaceApiModule = typeof FaceApi;

/** What `initTf` settled on. */
export interface TfRuntime {
  /** tfjs backend name: `tensorflow` (native) or `wasm`. */
  backend: string;
}

let runtime: Promise<TfRuntime> | null = null;
let faceApi: FaceApiModule | null = null;

function canResolve(id: string): boolean {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

/** Folder holding the .wasm binaries, with a trailing separator as tfjs expects for a prefix. */
function wasmFolder(): string {
  // The binaries sit next to the package's Node entry point (dist/tf-backend-wasm.node.js).
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

async function initNative(): Promise<TfRuntime> {
  // The node bundle requires @tensorflow/tfjs-node itself, which registers the `tensorflow` backend.
  faceApi = require('@vladmandic/face-api/dist/face-api.node.js') as FaceApiModule;
  const tf = getTf();
  await tf.ready();
  return { backend: tf.getBackend() };
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
  return event === 'uncaughtException' ? process.listeners('uncaughtException') : process.listeners('unhandledRejection');
}

async function initWasm(): Promise<TfRuntime> {
  // Load face-api's WASM bundle first: it requires the same @tensorflow/tfjs and backend modules we
  // configure below (one copy in node_modules), so configuring them configures face-api's tf.
  faceApi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  // A filesystem prefix plus usePlatformFetch=false: tfjs reads the .wasm with fs, no network. tfjs
  // picks the SIMD binary when the engine validates SIMD (Node 22 does) and never the threaded one
  // under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there). Forcing it was measured and rejected:
  // its pthread workers are Blob URLs that Node's Worker refuses (ERR_WORKER_PATH); patched around,
  // its fixed pool of 8 workers added ~107 MB resident and XNNPACK still reported 1 thread.
  wasm.setWasmPaths(wasmFolder());
  const tf = getTf();
  const okBackend = await withoutRuntimeHooks(() => tf.setBackend('wasm'));
  if (!okBackend) throw new Error('tfjs: the WASM backend failed to initialise');
  await tf.ready();
  return { backend: tf.getBackend() };
}

/**
 * Initialise TensorFlow.js once (idempotent; concurrent callers share one promise) and return the
 * backend in use: native tfjs-node when it can be resolved, else WASM (SIMD where supported).
 */
export function initTf(): Promise<TfRuntime> {
  runtime ??= (canResolve('@tensorflow/tfjs-node') ? initNative() : initWasm()).catch((error: unknown) => {
    // Let a later call retry instead of caching a failure forever.
    runtime = null;
    faceApi = null;
    throw error;
  });
  return runtime;
}

/** The face-api module bound to the initialised tf. Call `initTf()` first. */
export function getFaceApi(): FaceApiModule {
  if (!faceApi) throw new Error('getFaceApi() before initTf() resolved');
  return faceApi;
}

/** The tfjs instance face-api computes with. Call `initTf()` first. */
export function getTf(): typeof import('@tensorflow/tfjs') {
  return getFaceApi().tf as unknown as typeof import('@tensorflow/tfjs');
}
