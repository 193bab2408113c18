import { BuiltinAnswerer } from '../../src/reply';
import { FIXED_NOW, question, reading } from './helpers';

const answerer = new BuiltinAnswerer({ now: () => FIXED_NOW });
const say = (text: string, overrides = {}) => answerer.answerNow(question(text, overrides));

describe('BuiltinAnswerer: real answers', () => {
  it('tells the time in the configured time zone and locale', () => {
    expect(say('What time is it?').text).toBe("It's 15:20.");
    expect(say('What time is it?', { timeZone: 'America/New_York', locale: 'en-US' }).text).toBe("It's 10:20 AM.");
    expect(say('what time is it', { timeZone: 'Asia/Tokyo' }).text).toBe("It's 0:20.");
  });

  it('tells the date in the configured time zone (Tokyo is already on Wednesday)', () => {
    expect(say("what's the date today").text).toBe('Today is Tuesday, 4 March 2025.');
    expect(say('what day is it', { timeZone: 'Asia/Tokyo' }).text).toBe('Today is Wednesday, 5 March 2025.');
  });

  it('falls back to UTC and says so when the time zone is unknown', () => {
    const answer = say('What time is it?', { timeZone: 'Mars/Olympus_Mons' });
    expect(answer.text).toBe("It's 15:20. That's UTC: I don't know your time zone.");
  });

  it('spells the word asked for, not only "tree"', () => {
    expect(say('How do you spell tree?').text).toBe('The word tree is spelled T-R-E-E.');
    expect(say('how do u spel necessary').text).toContain('N-E-C-E-S-S-A-R-Y');
    expect(say('how is "Rhythm" spelled?').text).toContain('R-H-Y-T-H-M');
    expect(say('spell the word accommodation please').text).toContain('A-C-C-O-M-M-O-D-A-T-I-O-N');
    expect(say("how do you spell don't").text).toContain('D-O-N-apostrophe-T');
    expect(say('how do you spell café').text).toContain('C-A-F-É');
  });

  it('spells numbers as they are spoken or transcribed: two words, or digits', () => {
    expect(say('how do you spell forty two').text).toBe('The word forty-two is spelled F-O-R-T-Y-hyphen-T-W-O.');
    expect(say('spell 42').text).toBe('The word forty-two is spelled F-O-R-T-Y-hyphen-T-W-O.');
    expect(say('how do you spell 13').text).toContain('T-H-I-R-T-E-E-N');
    expect(say('spell 305').text).toContain('three hundred and five');
    expect(say('spell twenty').text).toContain('T-W-E-N-T-Y.');
  });

  it('asks which word when none is given', () => {
    expect(say('can you spell?').text).toContain('Which word shall I spell?');
  });

  it("uses the person's display name for Who am I?", () => {
    expect(say('Who am I?').text).toBe("You're Sam.");
    expect(say('who am i', { displayName: 'Ada Lovelace' }).text).toBe("You're Ada Lovelace.");
    expect(say('Who am I?', { displayName: '   ' }).text).toContain("I don't know your name yet");
  });

  it('is honest where it cannot know, and still helps', () => {
    expect(say('What is the weather today?').text).toMatch(/can't see the weather.*weather app/u);
    expect(say('Can you find me a route home?').text).toMatch(/can't plan a route.*maps app/u);
    expect(say('What song is this?').text).toMatch(/can't name the song.*song-recognition app/u);
    expect(say('What is there to watch on Netflix?').text).toMatch(/Top 10/u);
    expect(say('Can you turn the light on?').text).toMatch(/can't switch lights on/u);
    expect(say('Are unicorns real?').text).toMatch(/not real animals/u);
  });

  it('gives a helpful, honest default for anything else', () => {
    const answer = say('What is the capital of France?');
    expect(answer.intent).toBe('open');
    expect(answer.text).toMatch(/can't look things up/u);
    expect(answer.text).toMatch(/time and date/u);
  });
});

describe('BuiltinAnswerer: the emotion shapes the answer', () => {
  const asked = (emotion: string, confidence: number, text = 'Can you help me?') =>
    answerer.answerNow(question(text, { reading: reading(emotion, confidence) }));

  it('changes the wording, not just a prefix', () => {
    const happy = asked('happy', 0.9).text;
    const sad = asked('sad', 0.9).text;
    const neutral = asked('neutral', 0.9).text;
    expect(new Set([happy, sad, neutral]).size).toBe(3);
    // Neither contains the other: the body itself differs.
    expect(sad.includes(neutral)).toBe(false);
    expect(happy.includes(neutral)).toBe(false);
    expect(happy).toMatch(/!/u);
    expect(sad).toMatch(/no hurry|here/u);
  });

  it('brings warmth to a confident sad reading and plain facts to a neutral one', () => {
    expect(asked('sad', 0.9, 'What time is it?').text).toBe("It's 15:20. No rush: take things at your own pace.");
    expect(asked('happy', 0.9, 'What time is it?').text).toBe("It's 15:20 — enjoy the rest of your afternoon!");
    expect(asked('neutral', 0.9, 'What time is it?').text).toBe("It's 15:20.");
  });

  it('checks gently instead of labelling when the reading is unsure', () => {
    const answer = asked('sad', 0.4, 'What time is it?');
    expect(answer.text).toBe("You sound a bit down — am I right? It's 15:20.");
    expect(answer.intensity).toBeCloseTo(0.2, 5);
    const face = answerer.answerNow(question('hello', { reading: reading('sad', 0.45, 'face') }));
    expect(face.text.startsWith('You look a bit down — am I right?')).toBe(true);
    const flagged = answerer.answerNow(question('hello', { reading: reading('happy', 0.8, 'voice', true) }));
    expect(flagged.text).toMatch(/^You sound fairly cheerful — am I reading that right\?/u);
  });

  it('speaks of expressed emotion, never of inner feelings', () => {
    const texts: string[] = [];
    for (const emotion of ['happy', 'sad', 'neutral', 'angry', 'surprised', 'fearful']) {
      for (const confidence of [0.3, 0.9]) {
        for (const q of [
          'Can you help me?',
          'hello',
          'how are you',
          'What is the capital of France?',
          'What time is it?',
        ]) {
          texts.push(asked(emotion, confidence, q).text);
        }
      }
    }
    for (const text of texts)
      expect(text).not.toMatch(/you (feel|are feeling|must be feeling)|you're (sad|happy|angry|depressed)/iu);
  });

  it('answers plainly with no reading and for unknown emotion labels', () => {
    const none = answerer.answerNow(question('What time is it?', { reading: null }));
    expect(none).toEqual({ text: "It's 15:20.", emotion: null, intensity: 0, intent: 'time', source: 'builtin' });
    expect(asked('bored', 0.9, 'What time is it?').text).toBe("It's 15:20.");
  });

  it('reports the emotion and intensity for the voice', () => {
    const answer = asked('happy', 0.8);
    expect(answer.emotion).toBe('happy');
    expect(answer.intensity).toBeCloseTo(0.8, 5);
  });
});

describe('BuiltinAnswerer: bad input and determinism', () => {
  it('answers empty input with a prompt, not an error', () => {
    expect(say('').intent).toBe('empty');
    expect(say('').text).toMatch(/didn't catch a question/u);
  });

  it('copes with oversized, odd and non-string input', () => {
    expect(say('what time is it? '.repeat(50_000)).text).toBe("It's 15:20.");
    expect(say('\u0000\u202e🦄🦄 are unicorns real').intent).toBe('unicorns');
    expect(answerer.answerNow(question(undefined as unknown as string)).intent).toBe('empty');
  });

  it('gives the same answer for the same inputs', () => {
    const a = say('Can you help me?', { reading: reading('sad', 0.7) });
    const b = say('Can you help me?', { reading: reading('sad', 0.7) });
    expect(a).toEqual(b);
  });

  it('treats a NaN confidence as no confidence', () => {
    const answer = answerer.answerNow(question('hello', { reading: reading('sad', Number.NaN, 'voice', false) }));
    expect(answer.intensity).toBe(0);
    expect(answer.text).toMatch(/^You sound a bit down — am I right\?/u);
  });
});
