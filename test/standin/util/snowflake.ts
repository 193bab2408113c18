/** Discord's epoch (2015-01-01), the zero of snowflake timestamps. */
const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/**
 * A new snowflake id: milliseconds since the Discord epoch in the top 42 bits and a counter in the low
 * 12, so discord.js derives a sensible `createdAt` and ids sort by creation like on real Discord.
 */
export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | increment).toString();
}
