/**
 * Persona facts (birthday, hometown, job, family, likes, fears, signature item, traits).
 * Every fact is a plain string so the profile, the dialogues and the QA all quote the same
 * words: a knowledge question's evidence is always a literal line of the profile.
 */
import { Rng } from '../../util/rng';
import type { Kind } from './vocab';
import { sampleGivenName } from './names';

export type Pronoun = 'he' | 'she' | 'they';

export interface Relative {
  readonly relation: string;
  readonly name: string;
  readonly detail: string;
}

export interface Persona {
  readonly pronoun: Pronoun;
  readonly fullName: string;
  /** "March 14" */
  readonly birthday: string;
  readonly birthMonth: string;
  readonly hometown: string;
  readonly hometownFeature: string;
  readonly occupation: string;
  readonly workplace: string;
  readonly family: readonly Relative[];
  readonly likes: readonly string[];
  readonly dislikes: readonly string[];
  readonly fears: readonly string[];
  readonly signatureItem: string;
  readonly itemOrigin: string;
  readonly favoriteFood: string;
  readonly favoriteColor: string;
  readonly skill: string;
  readonly dream: string;
  readonly bestFriend: Relative;
  /** Trait names, see TRAITS. */
  readonly traits: readonly string[];
}

export interface TraitDef {
  readonly name: string;
  /** A clause template with self tokens: "{I} {v:ask} questions about absolutely everything". */
  readonly behaviour: string;
  /** How the trait colours an opinion ("is full of possibilities"). */
  readonly verdict: string;
  /** A short reaction the trait favours in advice. */
  readonly advice: string;
}

export const TRAITS: readonly TraitDef[] = [
  { name: 'curious', behaviour: '{I} {v:ask} questions about absolutely everything', verdict: 'worth investigating properly', advice: 'ask three questions before deciding anything' },
  { name: 'stubborn', behaviour: '{I} never {v:change} a plan once it is made', verdict: 'fine exactly the way they have always been', advice: 'pick a plan and refuse to budge' },
  { name: 'generous', behaviour: '{I} {v:give} away snacks before anyone asks', verdict: 'better when shared with friends', advice: 'share the load with someone you trust' },
  { name: 'sarcastic', behaviour: '{I} {v:answer} serious questions with a dry joke', verdict: 'a fascinating invention, truly', advice: 'lower your expectations and enjoy the show' },
  { name: 'shy', behaviour: '{I} {v:hide} behind the nearest object when strangers arrive', verdict: 'nice from a quiet distance', advice: 'start small and go at your own pace' },
  { name: 'bold', behaviour: '{I} {v:volunteer} first for every daring plan', verdict: 'a challenge to take head-on', advice: 'march right in and own the moment' },
  { name: 'meticulous', behaviour: '{I} {v:keep} a checklist for every single day', verdict: 'acceptable when organised properly', advice: 'write a list and tick it off line by line' },
  { name: 'dreamy', behaviour: '{I} {v:drift} into daydreams in the middle of conversations', verdict: 'like something out of a storybook', advice: 'imagine the best ending and walk toward it' },
  { name: 'competitive', behaviour: '{I} {v:turn} every chore into a contest', verdict: 'a game that can be won', advice: 'treat it like a match and play to win' },
  { name: 'loyal', behaviour: '{I} never {v:forget} a promise to a friend', verdict: 'best with the people who matter', advice: 'lean on the friends who stood by you' },
  { name: 'mischievous', behaviour: "{I} {v:hide} other people's things just to watch the search", verdict: 'perfect for a harmless prank', advice: 'make it fun, even a little bit silly' },
  { name: 'patient', behaviour: '{I} can wait for hours without a single complaint', verdict: 'worth waiting for', advice: 'give it time, things settle on their own' },
  { name: 'dramatic', behaviour: '{I} {v:treat} every small event like the finale of an opera', verdict: 'the most thrilling thing in the world', advice: 'make a grand entrance and never look back' },
  { name: 'optimistic', behaviour: '{I} {v:find} a bright side in every setback', verdict: 'full of possibilities', advice: 'remember that tomorrow is a fresh page' },
  { name: 'grumpy', behaviour: '{I} {v:complain} about the weather no matter what it is', verdict: 'wildly overrated', advice: 'grumble once, then get it done' },
  { name: 'gentle', behaviour: '{I} {v:speak} softly even when everyone else is shouting', verdict: 'lovely when taken slowly', advice: 'be kind to yourself first' },
  { name: 'witty', behaviour: '{I} always {have} a clever comeback ready', verdict: 'a punchline waiting to happen', advice: 'laugh at it first, then fix it' },
  { name: 'anxious', behaviour: '{I} {v:check} the door lock three times', verdict: 'a little worrying, if we are honest', advice: 'breathe slowly and check one thing at a time' },
  { name: 'proud', behaviour: '{I} {v:insist} on doing everything without help', verdict: 'beneath someone of real quality', advice: 'hold your head high and show them' },
  { name: 'playful', behaviour: '{I} {v:turn} every walk into a game of tag', verdict: 'an excuse to play', advice: 'turn it into a game and it gets easier' },
];

/** Pairs that would contradict each other in one persona. */
const OPPOSED: ReadonlyArray<readonly [string, string]> = [
  ['shy', 'bold'], ['optimistic', 'grumpy'], ['patient', 'competitive'], ['gentle', 'sarcastic'], ['anxious', 'bold'], ['dramatic', 'shy'], ['proud', 'gentle'],
];

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const TOWN_A = ['Amber', 'Moss', 'Lark', 'Thistle', 'Copper', 'Willow', 'Raven', 'Salt', 'Juniper', 'Cinder', 'Marble', 'Fern', 'Bramble', 'Honey', 'Pebble', 'Heron', 'Clover', 'Ash'];
const TOWN_B = ['wick', 'ford', 'haven', 'brook', 'vale', 'field', 'port', 'stead', 'hollow', 'cliff', 'mere', 'ton'];
const TOWN_FEATURES = [
  'a lantern festival every autumn', 'its crooked clock tower', 'the best plum pies in the region', 'a lake that freezes into a mirror',
  'a lighthouse that plays music at dusk', 'its floating market', 'an enormous stone turtle statue', 'windmills painted in stripes',
  'a bridge built from old ship timber', 'a night market that never closes', 'a yearly kite race', 'its hot springs', 'a hedge maze nobody has solved',
];

const JOBS: Record<Kind, ReadonlyArray<readonly [string, string]>> = {
  human: [
    ['pastry chef', 'a corner bakery'], ['lighthouse keeper', 'the old lighthouse on the point'], ['museum restorer', 'the town museum'],
    ['bicycle courier', 'a courier co-op'], ['botanist', 'the botanical greenhouse'], ['radio host', 'a late-night radio station'],
    ['carpenter', 'a workshop full of sawdust'], ['marine biologist', 'a research boat'], ['violin teacher', 'a music school'],
    ['private detective', 'a tiny office above a laundromat'], ['firefighter', 'the central fire station'], ['cartographer', 'the map office'],
    ['tailor', 'a narrow tailor shop'], ['astronomer', 'the hilltop observatory'], ['veterinarian', 'a busy animal clinic'], ['puppeteer', 'a travelling puppet theatre'],
  ],
  anime: [
    ['shrine maiden', 'a hilltop shrine'], ['magical girl in training', 'a secret academy'], ['student council president', 'Starlight High School'],
    ['idol trainee', 'a talent agency'], ['apprentice alchemist', 'an alchemy workshop'], ['sky pirate', 'an airship called the Wandering Gull'],
    ['mecha pilot', 'a hangar on the edge of town'], ['dragon tamer', 'a mountain aerie'], ['café maid', 'a themed café'], ['ninja courier', 'a rooftop delivery guild'],
    ['spirit medium', 'an old teahouse'], ['knight cadet', 'the royal academy'],
  ],
  animal: [
    ['bakery mascot', 'the bakery window'], ['farm supervisor', 'a noisy farmyard'], ['professional napper', 'the living room sofa'],
    ['garden patrol chief', 'the back garden'], ['bookshop greeter', 'a dusty bookshop'], ['office morale officer', 'a small design studio'],
    ['ferry deck inspector', 'the river ferry'], ['official taste tester', 'the family dinner table'], ['neighbourhood watch captain', 'the front porch'],
  ],
};

const RELATIONS: Record<Kind, readonly string[]> = {
  human: ['older sister', 'younger brother', 'grandmother', 'grandfather', 'twin brother', 'cousin', 'aunt', 'uncle'],
  anime: ['older sister', 'younger brother', 'grandmother', 'childhood rival', 'twin sister', 'mentor'],
  animal: ['littermate sister', 'littermate brother', 'mother', 'human owner', 'grand-uncle'],
};
const RELATIVE_DETAILS = [
  'who repairs old clocks', 'who sings in a choir', 'who grows giant pumpkins', 'who tells terrible jokes', 'who sails fishing boats',
  'who writes mystery novels', 'who keeps bees', 'who never loses at chess', 'who knits scarves for everyone', 'who collects odd spoons',
];

const LIKES: Record<Kind, readonly string[]> = {
  human: ['warm bread', 'rainy afternoons', 'crossword puzzles', 'old maps', 'folk music', 'stargazing', 'collecting stamps', 'long bicycle rides', 'board games', 'knitting', 'jigsaw puzzles', 'thunderstorms', 'fresh strawberries', 'sunrise walks', 'paper cranes', 'vinyl records', 'hot springs', 'kite flying', 'ghost stories', 'gardening', 'sketching', 'fireworks', 'riddles'],
  anime: ['melon bread', 'karaoke nights', 'shrine festivals', 'rooftop lunches', 'collecting charms', 'arcade games', 'fireworks', 'stargazing', 'strawberry milk', 'magic circles', 'training at dawn', 'manga marathons', 'paper lanterns', 'riddles'],
  animal: ['belly rubs', 'sunbeams', 'cardboard boxes', 'chasing leaves', 'chicken treats', 'squeaky toys', 'warm laundry', 'car rides', 'naps on the sofa', 'digging holes', 'watching birds from the window', 'ear scratches'],
};
const DISLIKES = ['loud vacuum cleaners', 'soggy cereal', 'Monday mornings', 'being rushed', 'untidy desks', 'bitter coffee', 'tight shoes', 'people who spoil endings', 'bath time', 'cold toast', 'squeaky doors', 'waiting in queues'];
const FEARS = ['thunder', 'deep water', 'heights', 'spiders', 'the dark', 'crowded elevators', 'clowns', 'getting lost', 'bees', 'ghosts', 'public speaking', 'hospitals', 'fireworks', 'mirrors at midnight'];
const ITEMS: Record<Kind, readonly string[]> = {
  human: ['a brass compass', 'a patched leather satchel', 'a silver pocket watch', 'a lucky red marble', 'a notebook full of doodles', 'a wooden flute', 'a fountain pen', 'a magnifying glass', 'a harmonica', 'a lucky horseshoe'],
  anime: ['a star-shaped hairpin', 'a knitted charm bracelet', 'a tiny jade frog', 'a paper fan', 'a shrine charm', 'a silver pocket watch', 'a spell notebook', 'a lucky red marble'],
  animal: ['a squeaky rubber duck', 'a knotted rope toy', 'a bell on a ribbon', 'a worn-out plush rabbit', 'a chewed slipper', 'a feather wand'],
};
const ITEM_ORIGINS = ['a gift from {relative}', 'found at a flea market in {town}', 'won in a village contest', 'inherited from a great-aunt', 'traded for a jar of honey', 'discovered in an attic box'];
const FOODS: Record<Kind, readonly string[]> = {
  human: ['lemon tart', 'mushroom risotto', 'pork dumplings', 'blueberry pancakes', 'spicy ramen', 'apple crumble', 'grilled corn', 'cheese toast', 'fish tacos', 'honey cake'],
  anime: ['curry bread', 'strawberry mochi', 'onigiri', 'melon bread', 'takoyaki', 'omurice', 'taiyaki', 'spicy ramen'],
  animal: ['roast chicken', 'salmon flakes', 'carrot tops', 'peanut butter biscuits', 'sardines', 'cheese cubes', 'blueberries', 'honey'],
};
const FAV_COLORS = ['saffron', 'emerald', 'cobalt', 'scarlet', 'lilac', 'charcoal', 'coral', 'ochre', 'turquoise', 'ivory'];
const SKILLS: Record<Kind, readonly string[]> = {
  human: ['juggling', 'whistling whole symphonies', 'baking bread', 'fixing radios', 'drawing maps', 'folding origami', 'solving riddles', 'ice skating', 'card tricks', 'bird calls'],
  anime: ['casting wind spells', 'sword dancing', 'reading fortunes', 'summoning paper birds', 'speed cooking', 'hacking arcade machines', 'climbing rooftops', 'calligraphy'],
  animal: ['catching treats mid-air', 'opening doors', 'finding the warmest spot', 'herding ducks', 'howling in tune', 'stealing socks', 'sensing snacks from three rooms away'],
};
const DREAMS: Record<Kind, readonly string[]> = {
  human: ['to sail around the world', 'to open a little bakery', 'to win the harvest fair', 'to write a famous song', 'to map every island in the bay', 'to climb the tallest mountain', 'to run a tiny cinema'],
  anime: ['to become the strongest in the academy', 'to headline a concert', 'to find a legendary dragon', 'to master every spell', 'to protect the whole town', 'to win the grand tournament'],
  animal: ['to catch the red dot', 'to be declared mayor of the garden', 'to eat an entire roast chicken', 'to nap for a whole week', 'to befriend the neighbour\'s cat', 'to guard the biggest house in town'],
};
const FRIEND_DETAILS = ['who always arrives late', 'who laughs at everything', 'who shares every lunch', 'who knows every shortcut', 'who can fix anything', 'who is secretly a great dancer'];

export function traitDef(name: string): TraitDef {
  const t = TRAITS.find((x) => x.name === name);
  if (!t) throw new Error(`synth: unknown trait ${name}`);
  return t;
}

function sampleTraits(rng: Rng, k: number): string[] {
  for (;;) {
    const picked = rng.sample(TRAITS, k).map((t) => t.name);
    if (!OPPOSED.some(([a, b]) => picked.includes(a) && picked.includes(b))) return picked;
  }
}

/** `avoid`: lower-cased names no relative or friend may have (other characters' ids). */
export function samplePersona(rng: Rng, kind: Kind, fullName: string, avoid: ReadonlySet<string> = new Set()): Persona {
  const pronoun: Pronoun = kind === 'animal' ? rng.pick(['he', 'she'] as const) : rng.pick(['he', 'she', 'they'] as const);
  const month = rng.pick(MONTHS);
  const hometown = rng.pick(TOWN_A) + rng.pick(TOWN_B);
  const [occupation, workplace] = rng.pick(JOBS[kind]);
  const family = rng.sample(RELATIONS[kind], 2).map((relation, i) => ({ relation, name: sampleGivenName(rng, kind === 'animal' && relation === 'human owner' ? 'human' : kind, avoid), detail: RELATIVE_DETAILS[(rng.int(0, RELATIVE_DETAILS.length - 1) + i) % RELATIVE_DETAILS.length] }));
  const fears = rng.sample(FEARS, 2);
  const likes = rng.sample(LIKES[kind].filter((l) => !fears.includes(l)), 3);
  const origin = rng.pick(ITEM_ORIGINS).replace('{relative}', `${family[0].name}, ${pronouns(pronoun).poss} ${family[0].relation}`).replace('{town}', hometown);
  return {
    pronoun,
    fullName,
    birthday: `${month} ${rng.int(1, 28)}`,
    birthMonth: month,
    hometown,
    hometownFeature: rng.pick(TOWN_FEATURES),
    occupation,
    workplace,
    family,
    likes,
    dislikes: rng.sample(DISLIKES, 2),
    fears,
    signatureItem: rng.pick(ITEMS[kind]),
    itemOrigin: origin,
    favoriteFood: rng.pick(FOODS[kind]),
    favoriteColor: rng.pick(FAV_COLORS),
    skill: rng.pick(SKILLS[kind]),
    dream: rng.pick(DREAMS[kind]),
    bestFriend: { relation: 'best friend', name: sampleGivenName(rng, kind, avoid), detail: rng.pick(FRIEND_DETAILS) },
    traits: sampleTraits(rng, 4),
  };
}

/** Distractor pools for multiple-choice questions, per fact. */
export const FACT_POOLS = {
  month: MONTHS,
  food: [...new Set(Object.values(FOODS).flat())],
  item: [...new Set(Object.values(ITEMS).flat())],
  fear: FEARS,
  like: [...new Set(Object.values(LIKES).flat())],
  occupation: [...new Set(Object.values(JOBS).flat().map(([o]) => o))],
  color: FAV_COLORS,
  skill: [...new Set(Object.values(SKILLS).flat())],
  dream: [...new Set(Object.values(DREAMS).flat())],
  townA: TOWN_A,
  townB: TOWN_B,
} as const;

export interface PronounSet {
  readonly subj: string;
  readonly obj: string;
  readonly poss: string;
  /** "is" / "are" after the subject pronoun. */
  readonly be: string;
}

export function pronouns(p: Pronoun): PronounSet {
  if (p === 'he') return { subj: 'he', obj: 'him', poss: 'his', be: 'is' };
  if (p === 'she') return { subj: 'she', obj: 'her', poss: 'her', be: 'is' };
  return { subj: 'they', obj: 'them', poss: 'their', be: 'are' };
}
