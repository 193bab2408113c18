import { isStoreError, openMemoryStore, type AttuneStore } from '../../src/storage';
import { faceSample, fixedClock, personModel, voiceSample } from './helpers/fixtures';

/** Runs `fn` and returns the StoreError code it threw (or 'no error'). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isStoreError(e) ? e.code : `not a StoreError: ${String(e)}`;
  }
  return 'no error';
}

describe('consent enforcement', () => {
  let store: AttuneStore;
  beforeEach(() => (store = openMemoryStore({ now: fixedClock })));
  afterEach(() => store.close());

  it('refuses every personal write without consent and stores nothing', () => {
    expect(store.getConsent('p1')).toBeNull();
    expect(store.hasConsent('p1')).toBe(false);
    expect(codeOf(() => store.addSample(faceSample('p1', 'happy')))).toBe('no_consent');
    expect(codeOf(() => store.addSamples([voiceSample('p1', 'sad')]))).toBe('no_consent');
    expect(codeOf(() => store.saveModel('p1', personModel('a')))).toBe('no_consent');
    expect(codeOf(() => store.updatePersonSettings('p1', { speakReplies: false }))).toBe('no_consent');
    expect(store.describePerson('p1')).toBeNull();
    expect(store.listSamples('p1')).toEqual([]);
    expect(store.loadModel('p1')).toBeNull();
  });

  it('records a grant with sorted, de-duplicated scope and the current time', () => {
    const record = store.grantConsent('p1', { textVersion: 'consent-v1', scope: ['voice', 'face', 'voice'] });
    const expected = { personId: 'p1', textVersion: 'consent-v1', scope: ['face', 'voice'], grantedAt: '2025-01-02T03:04:05.000Z', revokedAt: null };
    expect(record).toEqual(expected);
    expect(store.getConsent('p1')).toEqual(expected);
    expect(store.hasConsent('p1', 'face')).toBe(true);
    expect(store.hasConsent('p1', 'voice')).toBe(true);
  });

  it('only allows the signals in scope', () => {
    store.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
    expect(store.hasConsent('p1', 'voice')).toBe(false);
    expect(codeOf(() => store.addSample(voiceSample('p1', 'happy')))).toBe('consent_scope');
    expect(codeOf(() => store.addSample(faceSample('p1', 'happy')))).toBe('no error');
    expect(store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 } });
  });

  it('stops writes after revocation but keeps data until forgotten; a new grant reopens', () => {
    store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
    store.addSample(faceSample('p1', 'happy'));
    const revoked = store.revokeConsent('p1');
    expect(revoked?.revokedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(store.hasConsent('p1')).toBe(false);
    expect(codeOf(() => store.addSample(faceSample('p1', 'sad')))).toBe('no_consent');
    expect(codeOf(() => store.saveModel('p1', personModel('x')))).toBe('no_consent');
    expect(store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 } });
    // Revoking twice is harmless and returns the same record.
    expect(store.revokeConsent('p1')).toEqual(revoked);

    store.grantConsent('p1', { textVersion: 'v2', scope: ['voice'] });
    expect(store.getConsent('p1')).toMatchObject({ textVersion: 'v2', scope: ['voice'], revokedAt: null });
    expect(codeOf(() => store.addSample(voiceSample('p1', 'sad')))).toBe('no error');
  });

  it('revoking for an unknown person returns null', () => {
    expect(store.revokeConsent('nobody')).toBeNull();
  });

  it('rejects malformed consent', () => {
    expect(codeOf(() => store.grantConsent('p1', { textVersion: 'v1', scope: [] }))).toBe('invalid');
    expect(codeOf(() => store.grantConsent('p1', { textVersion: 'v1', scope: ['smell' as 'face'] }))).toBe('invalid');
    expect(codeOf(() => store.grantConsent('p1', { textVersion: '', scope: ['face'] }))).toBe('invalid');
    expect(codeOf(() => store.grantConsent('', { textVersion: 'v1', scope: ['face'] }))).toBe('invalid');
    expect(codeOf(() => store.grantConsent('has space', { textVersion: 'v1', scope: ['face'] }))).toBe('invalid');
    expect(codeOf(() => store.grantConsent('x'.repeat(65), { textVersion: 'v1', scope: ['face'] }))).toBe('invalid');
    expect(store.describePerson('p1')).toBeNull();
  });
});
