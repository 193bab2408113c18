/**
 * What the built-in answerer says for each intent, in four moods. Real answers where the answer can
 * be known offline (time, date, spelling, the person's name); an honest "I can't, but here is what
 * helps" where it cannot (weather, routes, music, what is on Netflix).
 */
import type { Intent } from '../types';
import { type ClockPlace, formatDate, formatTime, hourIn, partOfDay } from './clock';
import { extractWordToSpell, spellOut } from './spell';
import { type ByMood, type Tone, pick } from './tone';

/** Everything a reply may draw on. */
export interface ReplyContext {
  tone: Tone;
  name: string;
  now: Date;
  place: ClockPlace;
  /** The question as asked (for extracting a word to spell; never logged). */
  question: string;
}

type Reply = (ctx: ReplyContext) => string;

const CAPABILITIES = 'tell you the time and date, spell a word, tell you who you are';

function zoneNote(ctx: ReplyContext): string {
  return ctx.place.fellBack ? " That's UTC: I don't know your time zone." : '';
}

function nameOr(ctx: ReplyContext, fallback: string): string {
  return ctx.name || fallback;
}

export const REPLIES: Record<Intent, Reply> = {
  help: (ctx) =>
    pick(ctx.tone, {
      plain: `Yes, I can help. I can ${CAPABILITIES}, or just chat. What do you need?`,
      bright: `Absolutely, happy to help! I can ${CAPABILITIES} — or we can just chat. What shall we do?`,
      low: `Of course — I'm here, and there's no hurry. I can ${CAPABILITIES}, or simply keep you company. What would help most right now?`,
      tense: `Yes. Tell me what you need and we'll sort it out step by step. I can ${CAPABILITIES}.`,
    }),
  weather: (ctx) =>
    pick(ctx.tone, {
      plain:
        "I can't see the weather from here: I have no live forecast. A weather app or a look out of the window will tell you more.",
      bright:
        'I wish I could check the sky for you, but I have no live forecast here! A weather app will know — whatever it says, have a good one.',
      low: "I'm sorry, I can't see the forecast from here. A weather app will know. If it's grey out there, something warm to wear and a hot drink never hurt.",
      tense: "I can't get a forecast here, so I won't guess. A weather app will give you a quick, reliable answer.",
    }),
  route: (ctx) =>
    pick(ctx.tone, {
      plain:
        "I can't look up maps or where you are, so I can't plan a route. A maps app will give you turn-by-turn directions home.",
      bright:
        "I'd love to, but I can't see maps or your location! A maps app will get you home turn by turn — safe travels.",
      low: "I can't see maps or where you are, I'm sorry. A maps app will guide you home step by step, and if you're unsure where you are, ring someone you trust — it's fine to ask.",
      tense:
        'I can\'t see maps or your location. The quickest fix is a maps app: type "home" and follow it turn by turn. If you\'re stuck, call someone who can pick you up.',
    }),
  light: (ctx) =>
    pick(ctx.tone, {
      plain:
        "I can't switch lights on: I'm not connected to any smart-home devices. The switch or your smart-home app will do it.",
      bright:
        "I can't reach the lights — I'm not wired into your home! The switch or your smart-home app will light things up.",
      low: "I can't reach the lights, I'm afraid: I'm not connected to your home. Switching a lamp on yourself might make the room a little cosier.",
      tense:
        "I can't control lights; I'm not connected to any devices. The wall switch or your smart-home app is the fastest way.",
    }),
  song: (ctx) =>
    pick(ctx.tone, {
      plain:
        "I can't hear or look up music, so I can't name the song. A song-recognition app, or searching a line of the lyrics, usually finds it.",
      bright:
        "I can't hear the music from here, but a song-recognition app will name it in seconds — or search a line of the lyrics. Enjoy the tune!",
      low: "I can't hear the music from here, I'm sorry. A song-recognition app or a search for a line of the lyrics will find it. Music can be good company.",
      tense: "I can't identify songs. A song-recognition app or a search for a line of the lyrics is the quickest way.",
    }),
  identity: (ctx) =>
    ctx.name
      ? pick(ctx.tone, {
          plain: `You're ${ctx.name}.`,
          bright: `You're ${ctx.name}, of course! Good to have you here.`,
          low: `You're ${ctx.name}. It's good to have you here.`,
          tense: `You're ${ctx.name}.`,
        })
      : "I don't know your name yet: this chat didn't tell me.",
  netflix: (ctx) =>
    pick(ctx.tone, {
      plain:
        'I can\'t see Netflix\'s catalogue from here: it changes often and I work offline. Its "Top 10" row is a good place to start.',
      bright:
        'I can\'t see Netflix from here, but its "Top 10" row is a fine place to start — a comedy would suit the mood!',
      low: "I can't see Netflix's catalogue from here. Something gentle might be nice — an old favourite you know well is often a good choice.",
      tense:
        'I can\'t see Netflix from here. Something light and easy to switch off to might be best; its "Top 10" row is a quick place to look.',
    }),
  unicorns: (ctx) =>
    pick(ctx.tone, {
      plain:
        'Unicorns are not real animals: they are creatures of legend, told about for thousands of years. The narwhal, with its single long tusk, is the closest real thing.',
      bright:
        'Sadly not as real animals — but they\'re wonderfully real in stories! The narwhal, the "unicorn of the sea", comes closest.',
      low: 'Not as real animals, no — they live in stories, and have for thousands of years. The narwhal, with its one long tusk, is the nearest real thing.',
      tense: 'No. Unicorns are legendary; the narwhal, with its single tusk, is the closest real animal.',
    }),
  spell: (ctx) => {
    const word = extractWordToSpell(ctx.question);
    if (word === null) return 'Which word shall I spell? Ask me like this: "How do you spell tree?"';
    const letters = spellOut(word);
    return pick(ctx.tone, {
      plain: `The word ${word} is spelled ${letters}.`,
      bright: `Sure! The word ${word} is spelled ${letters}.`,
      low: `Of course. The word ${word} is spelled ${letters}.`,
      tense: `The word ${word}: ${letters}.`,
    });
  },
  time: (ctx) => {
    const time = formatTime(ctx.now, ctx.place);
    const part = partOfDay(hourIn(ctx.now, ctx.place));
    return (
      pick(ctx.tone, {
        plain: `It's ${time}.`,
        bright: `It's ${time} — enjoy the rest of your ${part}!`,
        low: `It's ${time}. No rush: take things at your own pace.`,
        tense: `It's ${time}. There's time to sort things out.`,
      }) + zoneNote(ctx)
    );
  },
  date: (ctx) => {
    const date = formatDate(ctx.now, ctx.place);
    return (
      pick(ctx.tone, {
        plain: `Today is ${date}.`,
        bright: `Today is ${date} — a good day for it!`,
        low: `Today is ${date}. One day at a time.`,
        tense: `Today is ${date}.`,
      }) + zoneNote(ctx)
    );
  },
  greeting: (ctx) => {
    const part = partOfDay(hourIn(ctx.now, ctx.place));
    const hello = part === 'night' ? 'Hello' : `Good ${part}`;
    return pick(ctx.tone, {
      plain: `${hello}, ${nameOr(ctx, 'there')}! What can I do for you?`,
      bright: `Hi ${nameOr(ctx, 'there')}! Lovely to hear from you — what's up?`,
      low: `Hello, ${nameOr(ctx, 'there')}. It's good to hear from you. What can I do for you?`,
      tense: `${hello}, ${nameOr(ctx, 'there')}. What do you need?`,
    });
  },
  how_are_you: (ctx) =>
    pick(ctx.tone, {
      plain: "I'm doing fine, thanks for asking! How can I help?",
      bright: "I'm doing great, thanks for asking! What are we up to?",
      low: "I'm fine, thank you for asking. More to the point, how are things with you?",
      tense: "I'm fine, thanks. What can I help with?",
    }),
  thanks: (ctx) =>
    pick(ctx.tone, {
      plain: "You're welcome!",
      bright: "You're very welcome — any time!",
      low: "You're welcome. Take care of yourself.",
      tense: "You're welcome. I hope it helps.",
    }),
  goodbye: (ctx) => {
    const part = partOfDay(hourIn(ctx.now, ctx.place));
    return pick(ctx.tone, {
      plain: `Goodbye, ${nameOr(ctx, 'friend')}!`,
      bright: `Bye, ${nameOr(ctx, 'friend')} — have a great ${part}!`,
      low: `Goodbye, ${nameOr(ctx, 'friend')}. Take care of yourself, and come back any time.`,
      tense: `Goodbye, ${nameOr(ctx, 'friend')}. I hope the rest of the ${part} goes smoothly.`,
    });
  },
  joke: (ctx) =>
    pick(ctx.tone, {
      plain: "Why don't skeletons fight each other? They don't have the guts.",
      bright: "Here's one: why did the scarecrow win an award? Because he was outstanding in his field!",
      low: "Here's a gentle one: what do you call a bear with no teeth? A gummy bear.",
      tense: 'A quick one: I told my computer I needed a break, and it gave me a KitKat advert.',
    }),
  bot_name: (ctx) =>
    pick(ctx.tone, {
      plain: "I'm Attune, a bot that notices how you come across and tries to answer in kind.",
      bright: "I'm Attune! I notice how you come across and try to answer in kind.",
      low: "I'm Attune. I notice how you come across and try to answer with care.",
      tense: "I'm Attune: I notice how you come across and try to answer in kind.",
    }),
  empty: () => "I didn't catch a question there. Ask me anything: the time, how to spell a word, or just say hello.",
  open: (ctx) =>
    pick(ctx.tone, {
      plain: `I don't have an answer to that built in, and I can't look things up: I work offline. I can ${CAPABILITIES}; for anything else, a search engine or someone you trust will know more.`,
      bright: `Good question — but I don't have that one built in, and I can't look things up offline. I can ${CAPABILITIES}; a search engine will know the rest!`,
      low: `I'm sorry, I don't have an answer to that built in, and I can't look things up. I can ${CAPABILITIES}, or just keep you company; for the rest, a search engine or someone you trust will know more.`,
      tense: `I don't have that built in and can't look it up, so I won't guess. I can ${CAPABILITIES}; a search engine is your quickest route for anything else.`,
    }),
  model: () => '',
};

/** Intents after which a closing line of warmth fits; never after a goodbye, thanks or a bare fact. */
export const CLOSE_AFTER: ReadonlySet<Intent> = new Set<Intent>(['help', 'open', 'greeting', 'how_are_you']);

export type { ByMood };
