import { EndBehaviorType, type VoiceConnection } from '@discordjs/voice';
import { describeWithData, sharedPath } from '../helpers/sharedData';
import {
  SILENCE_FRAME,
  type Standin,
  activeSeconds,
  decodeOpusPackets,
  encodeOpusPackets,
  loadOggOpusFile,
} from './index';
import { TEST_IDS, type VoiceFixture, startVoiceFixture } from './fixtures';

describeWithData('a RAVDESS clip spoken into the voice channel', () => {
  let fixture: VoiceFixture;
  let standin: Standin;
  let connection: VoiceConnection;

  beforeAll(async () => {
    fixture = await startVoiceFixture();
    ({ standin, connection } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  test('the bot receives every frame and decodes them to the clip length with the speech intact', async () => {
    const clip = loadOggOpusFile(sharedPath('ravdess-3class/Actor_01/03-01-03-01-01-01-01.ogg'));
    if (!clip.ok) throw new Error(clip.message);
    const packets = encodeOpusPackets(clip.value.pcm);
    expect(packets).toHaveLength(Math.ceil(clip.value.pcm.length / 960));
    const stream = connection.receiver.subscribe(TEST_IDS.alice, {
      end: { behavior: EndBehaviorType.AfterSilence, duration: 400 },
    });
    const received: Buffer[] = [];
    stream.on('data', (packet: Buffer) => received.push(packet));
    const ended = new Promise((resolve) => stream.once('end', resolve));
    await standin.speak(TEST_IDS.alice, packets);
    await ended;
    const audio = received.filter((p) => !p.equals(SILENCE_FRAME));
    expect(audio).toHaveLength(packets.length);
    // What a bot decodes (48 kHz stereo, as with prism-media) keeps the speech length of the original.
    const decoded = decodeOpusPackets(audio, 2);
    if (!decoded.ok) throw new Error(decoded.message);
    const original = activeSeconds(clip.value.pcm, { belowPeakDb: 30 });
    const roundTrip = activeSeconds(decoded.value, { belowPeakDb: 30 });
    expect(Math.abs(roundTrip - original)).toBeLessThanOrEqual(0.1);
  });
});
