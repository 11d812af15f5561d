/**
 * The visual label spaces of the synthetic world: kinds, identity attributes, expressions,
 * scenes and props. Every list is closed (judges classify into it) and every value has a
 * colour or shape chosen to stay distinguishable at the 32x32 model size.
 */

export const KINDS = ['human', 'animal', 'anime'] as const;
export type Kind = (typeof KINDS)[number];

export interface ColorValue {
  readonly name: string;
  /** What the drawing uses. */
  readonly hex: string;
}

const colors = <T extends string>(pairs: Record<T, string>): ColorValue[] =>
  Object.entries(pairs).map(([name, hex]) => ({ name, hex: hex as string }));

export const HUMAN_HAIR = colors({ black: '#1d1a1a', brown: '#6b4226', blonde: '#ecc45c', auburn: '#b5401f', grey: '#9a9a9a', white: '#f4f4f4' });
/** Anime hair is vivid on purpose, so it never collides with human hair at low resolution. */
export const ANIME_HAIR = colors({ pink: '#ff7eb6', teal: '#17bfb5', lavender: '#a98bff', silver: '#cfd8e3', crimson: '#d0213a', 'sky blue': '#4fb2ff', gold: '#ffcc33', mint: '#7fe3b0' });
export const FUR = colors({ orange: '#e8873a', brown: '#7a4b2a', grey: '#8d8d8d', white: '#f4f4f4', black: '#262626', cream: '#f1deb3' });
export const EYES = colors({ brown: '#6b3e1f', blue: '#2f6fde', green: '#2e9e4f', grey: '#7d848f', amber: '#e0a020', violet: '#8a3fd1', red: '#d62828' });
export const SKIN = colors({ light: '#f6d7c3', tan: '#e0ac82', brown: '#a86b45', dark: '#6e4429' });
export const OUTFIT = colors({ red: '#d7263d', blue: '#2458d6', green: '#2a9d3f', yellow: '#f4c20d', purple: '#7b3fbf', orange: '#f07f13', pink: '#ff6fb1', teal: '#14a8a0', black: '#2a2a2a', white: '#f2f2f2' });

export const EYE_BY_KIND: Record<Kind, readonly string[]> = {
  human: ['brown', 'blue', 'green', 'grey', 'amber'],
  animal: ['amber', 'green', 'blue', 'brown'],
  anime: ['blue', 'green', 'violet', 'red', 'amber'],
};

export const HAIR_STYLE_BY_KIND: Record<Kind, readonly string[]> = {
  human: ['short', 'long', 'bun', 'curly', 'ponytail'],
  /** For animals the "style" is the ear shape of the species, see SPECIES. */
  animal: [],
  anime: ['spiky', 'twintails', 'long', 'bob', 'side ponytail'],
};

export const SPECIES = ['cat', 'dog', 'rabbit', 'bear', 'fox'] as const;
export type Species = (typeof SPECIES)[number];

export const PATTERNS = ['plain', 'stripes', 'dots', 'checks'] as const;
export type Pattern = (typeof PATTERNS)[number];

/** Big, high-contrast accessories: small ones (earrings) would vanish at 32x32. */
export const ACCESSORIES = ['glasses', 'top hat', 'scarf', 'bow', 'headphones', 'crown', 'cape', 'bell collar'] as const;
export type Accessory = (typeof ACCESSORIES)[number];

// ---------- per-image labels ----------

export interface ExpressionDef {
  readonly name: string;
  /** Emotion words: disjoint across expressions, so a line's emotion is detectable. */
  readonly words: readonly string[];
  /** The adjective used in prompts ("looking happy"). */
  readonly adjective: string;
  /** What the drawing shows, for QA answers and thinking processes. */
  readonly look: string;
}

export const EXPRESSIONS: readonly ExpressionDef[] = [
  { name: 'happy', words: ['happy', 'glad', 'delighted', 'cheerful', 'joyful'], adjective: 'happy', look: 'a wide smile and rosy cheeks' },
  { name: 'sad', words: ['sad', 'gloomy', 'miserable', 'heartbroken', 'downcast'], adjective: 'sad', look: 'a downturned mouth and a blue tear on the cheek' },
  { name: 'angry', words: ['angry', 'furious', 'annoyed', 'fuming', 'irritated'], adjective: 'angry', look: 'slanted brows, a jagged frown and a red anger mark' },
  { name: 'surprised', words: ['surprised', 'astonished', 'shocked', 'amazed', 'startled'], adjective: 'surprised', look: 'wide eyes, raised brows and a round open mouth' },
  { name: 'sleepy', words: ['sleepy', 'drowsy', 'tired', 'exhausted', 'half-asleep'], adjective: 'sleepy', look: 'closed eyes and a floating Z above the head' },
  { name: 'neutral', words: ['calm', 'composed', 'unbothered', 'steady', 'level-headed'], adjective: 'calm', look: 'relaxed eyes and a small straight mouth' },
];

export interface SceneDef {
  readonly name: string;
  /** Place phrases with their preposition ("at the beach"); each contains one of `words`. */
  readonly phrases: readonly string[];
  /** Words that identify the place in a line (whole-word, case-insensitive). */
  readonly words: readonly string[];
  /** "at the beach" / "in the forest": the preposition phrase used in prompts. */
  readonly at: string;
  /** Dominant colour, for documentation and judges. */
  readonly dominant: string;
  /** What the background shows. */
  readonly look: string;
  readonly light: string;
}

export const SCENES: readonly SceneDef[] = [
  { name: 'beach', phrases: ['at the beach', 'by the seaside', 'down on the shore'], words: ['beach', 'seaside', 'shore'], at: 'on a sunny beach', dominant: 'light blue and sand', look: 'a sunny beach with blue sky, sea and sand', light: 'bright daylight' },
  { name: 'forest', phrases: ['in the forest', 'deep in the woods', 'in the pine forest'], words: ['forest', 'woods'], at: 'in a green forest', dominant: 'dark green', look: 'a dark green forest of pine trees', light: 'soft green daylight' },
  { name: 'snowfield', phrases: ['out in the snowfield', 'up in the snowy hills', 'out in the fresh snow'], words: ['snowfield', 'snowy', 'snow'], at: 'in a snowy field', dominant: 'white', look: 'a white snowy field with falling snowflakes', light: 'cold, bright daylight' },
  { name: 'city night', phrases: ['in the city at night', 'out on the neon streets', 'downtown after dark'], words: ['city', 'neon', 'downtown'], at: 'in the city at night', dominant: 'navy with yellow windows', look: 'a dark city skyline with lit yellow windows and a moon', light: 'night-time darkness with window light' },
  { name: 'kitchen', phrases: ['in the kitchen', 'in the cozy kitchen', 'by the kitchen counter'], words: ['kitchen'], at: 'in a tiled kitchen', dominant: 'red and white tiles', look: 'a kitchen with red and white checked tiles and a wooden counter', light: 'warm indoor light' },
  { name: 'library', phrases: ['in the library', 'in the old library', 'between the library stacks'], words: ['library'], at: 'in a wooden library', dominant: 'brown shelves', look: 'a library with brown wooden shelves of colourful spines', light: 'warm indoor light' },
  { name: 'space', phrases: ['out in space', 'aboard the space station', 'in orbit'], words: ['space', 'orbit'], at: 'floating in outer space', dominant: 'black with stars', look: 'black outer space with stars and a ringed purple planet', light: 'darkness lit by starlight' },
  { name: 'desert', phrases: ['in the desert', 'out on the dunes', 'in the desert sands'], words: ['desert', 'dunes'], at: 'in a hot desert', dominant: 'orange sand', look: 'an orange desert with dunes, a cactus and a big sun', light: 'harsh, hot sunlight' },
  { name: 'underwater', phrases: ['down at the coral reef', 'at the bottom of the sea', 'underwater by the reef'], words: ['reef', 'underwater', 'sea'], at: 'underwater by a coral reef', dominant: 'deep teal', look: 'a deep teal reef with bubbles and green seaweed', light: 'dim blue underwater light' },
  { name: 'cherry garden', phrases: ['in the cherry garden', 'under the cherry trees', 'in the blossom garden'], words: ['cherry', 'blossom'], at: 'in a cherry blossom garden', dominant: 'pink', look: 'a pink cherry blossom garden with green grass', light: 'soft spring daylight' },
];

export interface PropDef {
  readonly name: string;
  /** "reading a book": the activity shown with this prop. */
  readonly activity: string;
  /** Verb phrase for yes/no questions: "Is X holding a book?". */
  readonly holding: string;
  /** Words that identify the prop in a line. */
  readonly words: readonly string[];
  /** "a book", for "What is X holding?" choices. */
  readonly noun: string;
  /** What the drawing shows. */
  readonly look: string;
}

export const PROPS: readonly PropDef[] = [
  { name: 'book', activity: 'reading a book', holding: 'holding a book', words: ['book'], noun: 'a book', look: 'a red book' },
  { name: 'umbrella', activity: 'holding an umbrella', holding: 'holding an umbrella', words: ['umbrella'], noun: 'an umbrella', look: 'a red umbrella with yellow panels' },
  { name: 'guitar', activity: 'playing the guitar', holding: 'holding a guitar', words: ['guitar'], noun: 'a guitar', look: 'a brown acoustic guitar' },
  { name: 'ball', activity: 'playing with a ball', holding: 'playing with a ball', words: ['ball'], noun: 'a ball', look: 'a striped ball' },
  { name: 'cup', activity: 'sipping tea from a cup', holding: 'holding a cup', words: ['cup', 'tea'], noun: 'a cup of tea', look: 'a white cup of steaming tea' },
  { name: 'sword', activity: 'practising with a sword', holding: 'holding a sword', words: ['sword'], noun: 'a sword', look: 'a silver sword with a gold hilt' },
  { name: 'flower', activity: 'holding a flower', holding: 'holding a flower', words: ['flower'], noun: 'a flower', look: 'a pink flower on a green stem' },
  { name: 'camera', activity: 'taking photos with a camera', holding: 'holding a camera', words: ['camera', 'photos'], noun: 'a camera', look: 'a black camera with a big lens' },
  { name: 'balloon', activity: 'holding a red balloon', holding: 'holding a balloon', words: ['balloon'], noun: 'a balloon', look: 'a red balloon on a string' },
  { name: 'ice cream', activity: 'eating an ice cream cone', holding: 'holding an ice cream cone', words: ['ice cream'], noun: 'an ice cream cone', look: 'an ice cream cone with a pink scoop' },
];

export const EXPRESSION_NAMES = EXPRESSIONS.map((e) => e.name);
export const SCENE_NAMES = SCENES.map((s) => s.name);
export const PROP_NAMES = PROPS.map((p) => p.name);

export function expressionDef(name: string): ExpressionDef {
  return find(EXPRESSIONS, name, 'expression');
}
export function sceneDef(name: string): SceneDef {
  return find(SCENES, name, 'scene');
}
export function propDef(name: string): PropDef {
  return find(PROPS, name, 'prop');
}
export function colorHex(list: readonly ColorValue[], name: string): string {
  return find(list, name, 'colour').hex;
}

function find<T extends { name: string }>(list: readonly T[], name: string, what: string): T {
  const hit = list.find((x) => x.name === name);
  if (!hit) throw new Error(`synth: unknown ${what} "${name}"`);
  return hit;
}
