import { matchIntent } from '../../src/reply';

const cases: Array<[string, string]> = [
  // The prototype's ten questions
  ['Can you help me?', 'help'],
  ['What is the weather today?', 'weather'],
  ['Can you find me a route home?', 'route'],
  ['What time is it?', 'time'],
  ['Can you turn the light on?', 'light'],
  ['What song is this?', 'song'],
  ['Who am I?', 'identity'],
  ['What is there to watch on Netflix?', 'netflix'],
  ['Are unicorns real?', 'unicorns'],
  ['How do you spell tree?', 'spell'],
  // Paraphrases, casual forms and typos
  ['I need some help', 'help'],
  ['could u assist me pls', 'help'],
  ['what can you do?', 'help'],
  ["what's the forecast", 'weather'],
  ['whats the wether like', 'weather'],
  ['is it going to rain later?', 'weather'],
  ['do I need an umbrella', 'weather'],
  ['how hot is it outside', 'weather'],
  ['forcast for tomorrow?', 'weather'],
  ['directions home please', 'route'],
  ['how do I get home from here', 'route'],
  ['show me the way home', 'route'],
  ['navigate me home', 'route'],
  ['I am lost', 'route'],
  ['got the time?', 'time'],
  ['what time is it now', 'time'],
  ["what's the time", 'time'],
  ['tell me the time', 'time'],
  ['wat tiem is it', 'time'],
  ['what hour is it', 'time'],
  ['what is the date today', 'date'],
  ['what day is it', 'date'],
  ["today's date?", 'date'],
  ['switch on the lamp', 'light'],
  ['lights off please', 'light'],
  ['turn the lihgts on', 'light'],
  ["it's too dark in here", 'light'],
  ['who sings this', 'song'],
  ['name this tune', 'song'],
  ['what music is playing', 'song'],
  ['who is this song by', 'song'],
  ["what's my name", 'identity'],
  ['do you know who I am?', 'identity'],
  ['do you recognise me', 'identity'],
  ['anything good on netflix?', 'netflix'],
  ['recommend a movie', 'netflix'],
  ['what should I watch tonight', 'netflix'],
  ['any good series to binge', 'netflix'],
  ['netflx suggestions', 'netflix'],
  ['do unicorns exist', 'unicorns'],
  ['is a unicorn a real animal', 'unicorns'],
  ['are unicrons real', 'unicorns'],
  ['how is necessary spelled', 'spell'],
  ['spell "rhythm" for me', 'spell'],
  ['how do u spel necessary', 'spell'],
  ['how do you write cat', 'spell'],
  // Small talk
  ['hello', 'greeting'],
  ['hey there', 'greeting'],
  ['good morning!', 'greeting'],
  ['how are you?', 'how_are_you'],
  ["how's it going", 'how_are_you'],
  ['thanks!', 'thanks'],
  ['thank you so much', 'thanks'],
  ['cheers mate', 'thanks'],
  ['bye', 'goodbye'],
  ['see you later', 'goodbye'],
  ['good night', 'goodbye'],
  ['tell me a joke', 'joke'],
  ['what is your name', 'bot_name'],
  ['who are you?', 'bot_name'],
  // A specific request beats the small talk around it
  ['hi, can you help me with the weather?', 'weather'],
  ['thanks, and what time is it?', 'time'],
];

describe('matchIntent', () => {
  it.each(cases)('%s → %s', (text, intent) => {
    expect(matchIntent(text).intent).toBe(intent);
  });

  it('does not "correct" real words into keywords (night ≠ light, right ≠ light)', () => {
    expect(matchIntent('am I right?').intent).toBe('open');
    expect(matchIntent('what a night').intent).toBe('open');
  });

  it('leaves other questions open', () => {
    for (const q of ['what is the capital of France?', 'explain quantum physics', 'should I buy a car']) {
      expect(matchIntent(q).intent).toBe('open');
    }
  });

  it('treats empty, whitespace and punctuation-only input as empty', () => {
    for (const q of ['', '   ', '?!?', '…']) expect(matchIntent(q).intent).toBe('empty');
  });
});
