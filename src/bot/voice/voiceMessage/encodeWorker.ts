/**
 * The voice-message encoder's worker thread: Opus encoding and Ogg muxing of a spoken answer cost
 * 160–310 ms for an 11 s reply, too long for the thread that acknowledges interactions.
 * In: { id, samples: Int16Array, sampleRate }. Out: { id, ok: true, message } | { id, ok: false, error }.
 */
import { parentPort } from 'node:worker_threads';
import { applyNiceness } from '../../../ml/worker/niceness';
import { toVoiceMessage } from './voiceMessage';

/**
 * A voice message is sent after the text answer and can wait: on a busy 2-core machine this thread
 * takes the CPU only after the analyses someone's answer is waiting for (Linux: the thread's nice).
 */
const NICENESS = 10;
applyNiceness(NICENESS);

interface EncodeRequest {
  id: number;
  samples: Int16Array;
  sampleRate: number;
}

parentPort?.on('message', (request: EncodeRequest) => {
  toVoiceMessage({ samples: request.samples, sampleRate: request.sampleRate }).then(
    (message) => parentPort?.postMessage({ id: request.id, ok: true, message }, [message.ogg.buffer as ArrayBuffer]),
    (error: unknown) =>
      parentPort?.postMessage({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});
