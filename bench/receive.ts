/**
 * `npm run --silent bench:receive [-- --json]`: the cost of Attune's receive path per packet, on its
 * own: the unmodified @discordjs/voice connection in a stand-in call (DAVE and transport-only, both
 * transport modes), alice speaking 1500 real Opus frames, ReceivePath timing each packet from the
 * datagram to the judged event (RTP parse, transport decryption, DAVE decryption; what a recording
 * does with the frame is not included: `decode_us_per_frame` times that separately).
 * No engine workers run here, so the numbers are not inflated by the other core's analyses (bench:bot
 * reports the same measure in the middle of the whole bot).
 */
import { silentLogger } from '../src/bot/util/log';
import { OpusFrameDecoder } from '../src/bot/voice/OpusFrameDecoder';
import { ReceivePath } from '../src/bot/voice/ReceivePath';
import { encodeOpusPackets, sineWave } from '../test/standin';
import { TEST_IDS, startVoiceFixture } from '../test/standin/fixtures';

const FRAMES = 1500;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN).toFixed(1));
  return { median: at(0.5), p90: at(0.9), p99: at(0.99), n: s.length };
};

async function measure(voice: { dave?: boolean; modes?: string[] }) {
  const fixture = await startVoiceFixture({ voice, logger: false });
  try {
    const path = new ReceivePath(fixture.connection, silentLogger, { guildId: TEST_IDS.guild, measure: true });
    let audio = 0;
    path.listen(TEST_IDS.alice, (e) => {
      if (e.type === 'audio') audio++;
    });
    const frames = encodeOpusPackets(sineWave(FRAMES / 50, 220, 0.3));
    await fixture.standin.speak(TEST_IDS.alice, frames, { frameMs: 4 });
    await fixture.standin.waitFor(() => audio >= frames.length, 5000, 'every frame received');
    // Steady state: the first 100 packets include the JIT warming up.
    const paced = path.packetCostsUs().slice(100);
    path.close();
    // Second pass: alice says it again while nothing decrypts (no receive path, no library
    // subscription); the datagrams are captured, then fed back to back through a fresh receive path
    // on the same live session. Paced packets on this shared VM pay for cold caches and preemption;
    // this is the path's own CPU cost. (Fresh frames: DAVE refuses to decrypt a frame twice.)
    const captured: Buffer[] = [];
    const networking = Reflect.get(fixture.connection.state, 'networking') as { state: object };
    const udp = Reflect.get(networking.state, 'udp') as NodeJS.EventEmitter;
    const capture = (m: Buffer) => captured.push(m);
    udp.on('message', capture);
    await fixture.standin.speak(TEST_IDS.alice, frames, { frameMs: 4 });
    await new Promise((r) => setTimeout(r, 100));
    udp.off('message', capture);
    const batch = new ReceivePath(fixture.connection, silentLogger, { guildId: TEST_IDS.guild, measure: true });
    let again = 0;
    batch.listen(TEST_IDS.alice, (e) => {
      if (e.type === 'audio') again++;
    });
    for (const m of captured) batch.onMessage(m);
    batch.close();
    return {
      dave_protocol_version: voice.dave === false ? 0 : 1,
      mode: fixture.standin.voice.session(TEST_IDS.guild)?.mode,
      audio_frames: audio,
      receive_us: stats(paced),
      back_to_back_us: stats(batch.packetCostsUs().slice(100)),
      back_to_back_audio_frames: again,
    };
  } finally {
    await fixture.close();
  }
}

function decodeCost() {
  const frames = encodeOpusPackets(sineWave(FRAMES / 50, 220, 0.3));
  const decoder = new OpusFrameDecoder();
  const costs: number[] = [];
  for (const frame of frames) {
    const t = performance.now();
    decoder.decode(frame);
    costs.push((performance.now() - t) * 1000);
  }
  decoder.close();
  return stats(costs.slice(100));
}

async function main(): Promise<void> {
  const runs = [];
  for (const voice of [{}, { modes: ['aead_xchacha20_poly1305_rtpsize', 'aead_aes256_gcm_rtpsize'] }, { dave: false }])
    runs.push(await measure(voice));
  const result = { runs, decode_us_per_frame: decodeCost(), receive_us_per_packet_median: runs[0]!.receive_us.median };
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    for (const r of runs)
      process.stdout.write(
        `DAVE v${r.dave_protocol_version}, ${r.mode}: receive path, paced ${JSON.stringify(r.receive_us)}, back to back ${JSON.stringify(r.back_to_back_us)} us per packet\n`,
      );
    process.stdout.write(
      `Opus decode to 16 kHz mono: ${JSON.stringify(result.decode_us_per_frame)} us per frame (in the recording, not the receive path)\n`,
    );
  }
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
