/**
 * Measures the stand-in's own overhead, the floor under any bot benchmark run against it:
 * login-to-ready time, slash command dispatch → acknowledgement with a bot that replies at once, and
 * the delay from the last spoken RTP packet to the receive stream ending (AfterSilence 100 ms).
 *
 *   npx tsx test/standin/bench.ts [rounds]
 */
import { EndBehaviorType, VoiceConnectionStatus, entersState, joinVoiceChannel } from '@discordjs/voice';
import { TEST_IDS, loginClient, startTestStandin } from './fixtures';
import { encodeOpusPackets, sineWave } from './audio/opus';

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms (n=${sorted.length})`;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 50);
  const standin = await startTestStandin();
  const loginStart = performance.now();
  const client = await loginClient(standin);
  console.log(`login → clientReady: ${(performance.now() - loginStart).toFixed(1)} ms`);

  client.on('interactionCreate', (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.reply('ok');
  });
  const ack: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const handle = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ping',
    });
    await handle.waitForAck();
    ack.push(handle.ackLatencyMs ?? NaN);
  }
  console.log(`slash command dispatch → ack (trivial bot): ${summary(ack)}`);

  const guild = client.guilds.cache.get(TEST_IDS.guild)!;
  const connection = joinVoiceChannel({
    guildId: guild.id,
    channelId: TEST_IDS.voice,
    adapterCreator: guild.voiceAdapterCreator,
    selfDeaf: false,
  });
  const joinStart = performance.now();
  await entersState(connection, VoiceConnectionStatus.Ready, 5000);
  console.log(`voice join → Ready: ${(performance.now() - joinStart).toFixed(1)} ms`);
  standin.joinVoice(TEST_IDS.alice, TEST_IDS.guild, TEST_IDS.voice);
  const packets = encodeOpusPackets(sineWave(0.5));
  const endDelay: number[] = [];
  for (let i = 0; i < Math.min(rounds, 10); i++) {
    const stream = connection.receiver.subscribe(TEST_IDS.alice, {
      end: { behavior: EndBehaviorType.AfterSilence, duration: 100 },
    });
    stream.resume();
    const ended = new Promise<number>((resolve) => stream.once('end', () => resolve(performance.now())));
    await standin.speak(TEST_IDS.alice, packets, { silenceFrames: 0 });
    const lastSent = performance.now();
    endDelay.push((await ended) - lastSent - 100);
  }
  console.log(`last RTP packet → receive stream end, minus the 100 ms silence window: ${summary(endDelay)}`);
  connection.destroy();
  await client.destroy();
  await standin.close();
}

void main();
