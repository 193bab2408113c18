/** Where the stand-in reports things a bot engineer should see (unknown routes, protocol misuse). */
export type StandinLogger = (message: string) => void;

/** Default logger: one prefixed line on stderr. Never logs tokens or message bodies. */
export const defaultLogger: StandinLogger = (message) => {
  process.stderr.write(`[discord-standin] ${message}\n`);
};
