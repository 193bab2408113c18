// eSpeak NG in a worker thread. Plain JavaScript on purpose: the worker runs in Node itself, outside
// jest's and tsx's module systems, so it can import the ES-module-only engine package (which uses
// import.meta.url to find its voice data) the same way everywhere. It also keeps the synchronous
// synthesis calls off the bot's event loop, where voice heartbeats and playback run.
//
// Protocol. In: { type: 'synth', id, voice, pieces: string[], settings: { wpm, pitch, range, volume } }.
// Out: { type: 'chunk', id, samples: Int16Array, sampleRate } as eSpeak produces audio,
//      { type: 'end', id } after the last piece, { type: 'error', id, message } on failure.
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';

// Speech follows the text answer: under load, the analyses that other people's answers wait for go
// first (Linux: this thread's nice value; a small one, since a spoken reply is still awaited). This is
// src/ml/worker/niceness.ts's applyNiceness written out: this plain-JS worker cannot import TypeScript.
try {
  os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), 5);
} catch {
  // Not Linux, or not permitted: run at normal priority.
}

const enginePromise = import('@echogarden/espeak-ng-emscripten').then((m) => m.default());
let worker = null;
let currentVoice = null;

parentPort.on('message', async (request) => {
  if (request?.type !== 'synth') return;
  const { id, voice, pieces, settings } = request;
  try {
    const engine = await enginePromise;
    worker ??= new engine.eSpeakNGWorker();
    if (voice !== currentVoice) {
      const status = worker.set_voice(voice);
      if (status !== 0 && status !== true && status !== undefined) throw new Error(`eSpeak has no voice "${voice}"`);
      currentVoice = voice;
    }
    const sampleRate = worker.get_samplerate();
    for (const piece of pieces) {
      worker.set_rate(settings.wpm);
      worker.set_pitch(settings.pitch);
      worker.set_range(settings.range);
      worker.set_volume(settings.volume);
      worker.synthesize(piece, (samples) => {
        if (samples && samples.length > 0) {
          parentPort.postMessage({ type: 'chunk', id, samples, sampleRate }, [samples.buffer]);
        }
        return false; // false = keep synthesising
      });
    }
    parentPort.postMessage({ type: 'end', id });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
});
