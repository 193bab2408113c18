/**
 * Runs the Discord stand-in as its own process, for a bot started separately (`npm start`):
 *
 *   npx tsx test/standin/cli.ts [--config guilds.json] [--port 8787] [--no-dave] [--modes a,b]
 *
 * Voice calls use DAVE (end-to-end encryption) as on Discord unless `--no-dave`; `--modes` sets the
 * transport encryption modes offered, in order.
 * Prints one JSON line with the URLs, the token and `env` (DISCORD_TOKEN, DISCORD_API_URL,
 * DISCORD_APPLICATION_ID, NODE_EXTRA_CA_CERTS) to give the bot, then runs until SIGINT/SIGTERM.
 * Users are played through the control API under `<base>/_standin` (see README.md).
 */
import fs from 'node:fs';
import { addControlRoutes } from './control';
import { type StandinOptions, startStandin } from './Standin';

const DEFAULT_CONFIG: StandinOptions = {
  guilds: [
    {
      id: '100000000000000001',
      name: 'Stand-in Guild',
      channels: [
        { id: '100000000000000010', name: 'general', type: 'text' },
        { id: '100000000000000020', name: 'Lounge', type: 'voice' },
      ],
      members: [
        { user: { id: '100000000000000100', username: 'alice' } },
        {
          user: { id: '100000000000000200', username: 'bob' },
          permissions: ['ViewChannel', 'SendMessages', 'Connect', 'Speak', 'ManageGuild', 'UseApplicationCommands'],
        },
      ],
    },
  ],
};

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const configPath = argument('config');
  const config: StandinOptions = configPath
    ? (JSON.parse(fs.readFileSync(configPath, 'utf8')) as StandinOptions)
    : DEFAULT_CONFIG;
  const port = argument('port');
  const modes = argument('modes');
  const voice = {
    ...config.voice,
    ...(process.argv.includes('--no-dave') ? { dave: false } : {}),
    ...(modes ? { modes: modes.split(',') } : {}),
  };
  // The bot runs in another process and trusts the certificate through NODE_EXTRA_CA_CERTS instead.
  const standin = await startStandin({
    ...config,
    ...(port ? { port: Number(port) } : {}),
    voice,
    trustCertificate: false,
  });
  addControlRoutes(standin);
  process.stdout.write(
    `${JSON.stringify({
      apiUrl: standin.apiUrl,
      cdnUrl: standin.cdnUrl,
      gatewayUrl: standin.gatewayUrl,
      voiceEndpoint: standin.voiceEndpoint,
      controlUrl: standin.apiUrl.replace(/\/api$/, '/_standin'),
      applicationId: standin.applicationId,
      token: standin.token,
      caCertPath: standin.caCertPath,
      dave: standin.voice.dave,
      modes: standin.voice.modes,
      env: standin.env(),
    })}\n`,
  );
  const stop = (): void => {
    void standin.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`stand-in failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
