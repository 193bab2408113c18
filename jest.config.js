/** Jest runs TypeScript through SWC (fast, no type check); `npm test` type-checks with tsc first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // Some audio decoders on npm ship only ES modules; let SWC turn them into CommonJS for jest.
  // @discordjs/voice loads its XChaCha20 library with a dynamic import(), which jest's module
  // runtime cannot run untransformed (Node can, so the bot itself needs no such step).
  transformIgnorePatterns: [
    '/node_modules/(?!(mpg123-decoder|ogg-opus-decoder|@wasm-audio-decoders|@eshaz|@discordjs/voice)/)',
  ],
  testTimeout: 120000,
  // Two cores: more workers only thrash the WASM models.
  maxWorkers: 2,
};
