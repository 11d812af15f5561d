/**
 * The typed, normalized view of one RoleScape-20 character that `loadCharacter` returns.
 * Plain data only (strings, numbers, arrays, objects; `null` for "absent"), so a Character
 * can be JSON.stringify'd into a notebook cell or a cache file as is.
 */

export type Split = 'train' | 'test';
export type Role = 'user' | 'machine';
export type AnswerKey = 'A' | 'B' | 'C' | 'D';
export type Difficulty = 'easy' | 'medium' | 'hard';

/** A numbered PNG of a split folder ("3" -> <root>/<split>/<Folder>/3.png). */
export interface ImageRef {
  id: string;
  split: Split;
  /** Absolute path. */
  path: string;
  /** Path relative to the dataset root, POSIX separators (as in issues). */
  file: string;
  width: number;
  height: number;
}

export interface Turn {
  role: Role;
  text: string;
  /** Image id the turn cites, as written in the file (even when no PNG has it). */
  imageId: string | null;
  /** Absolute path of that PNG, or null when the id has no (valid) PNG. */
  imagePath: string | null;
  /** From <P>_with_image.json: why the image fits the reply (annotated dialogues only). */
  thinking: string | null;
  /** From <P>_with_image.json: the T2I prompt for the reply's image. */
  generationInstruction: string | null;
}

export interface Scene {
  /** Which split the dialogue belongs to (for extension dialogues: the extension's own split). */
  split: Split;
  /** Position in its file's `scenes` array. */
  index: number;
  turns: Turn[];
}

export interface KnowledgeQa {
  id: string;
  question: string;
  answer: string;
  /** Quotes from the profile backing the answer (always a list, even for one quote). */
  evidence: string[];
  type: string;
  difficulty: Difficulty;
  reasoningSteps: string[];
  confidence: number;
}

export interface Mcq {
  id: string;
  question: string;
  /** Option texts; numeric options in the source are converted to strings. */
  options: Record<AnswerKey, string>;
  answerKey: AnswerKey;
  difficulty: Difficulty;
  rationale: string;
  evidence: string | null;
  /** 'knowledge': <P>_knowledge_qa_test.json; 'image': a with_image turn's mcq_items. */
  source: 'knowledge' | 'image';
  /** For image MCQ: the split, scene and image they ask about (null for knowledge MCQ). */
  split: Split | null;
  sceneIndex: number | null;
  imageId: string | null;
}

export interface VqaPair {
  /** "<sceneIndex>_<pairIndex>", the id processed/vlm/<P>_vqa.jsonl uses (unique within a split). */
  id: string;
  split: Split;
  sceneIndex: number;
  imageId: string;
  imagePath: string | null;
  question: string;
  answer: string;
  type: 'objective' | 'subjective';
  /** Where the pair was read: with_image qa_pairs (preferred) or processed/vlm/<P>_vqa.jsonl. */
  source: 'with_image' | 'processed_vqa';
}

export interface T2iInstruction {
  imageId: string;
  instruction: string;
  imagePath: string | null;
}

export interface GrpoQuestion {
  question: string;
  type: 'yes_no' | 'multiple_choice' | 'open_ended';
  category: string;
  answer: string;
  weight: number;
  isNegative: boolean;
  choices: string[] | null;
}

export interface GrpoPrompt {
  sceneId: string;
  text: string;
  /** As written in the file ("Gao_Qiqiang", "Will In Vietnam": spelling varies). */
  character: string;
  referenceImagesPath: string;
  questions: GrpoQuestion[];
}

/** A derived training file under processed/ (validated; only its size is kept here). */
export interface ProcessedFile {
  file: string;
  kind: 't2i' | 'vlm';
  records: number;
}

export interface Character {
  /** The file prefix: "Chandler", "Adrien Brody", "Miki Nikaidou". */
  id: string;
  /** Absolute dataset root the character was read from. */
  root: string;
  /** Folders relative to the root; null when the split has no folder for this character. */
  folders: { train: string; test: string | null; grpo: string | null };
  profile: { full: string | null; simplified: string | null };
  description: string;
  opening: string;
  images: { train: ImageRef[]; test: ImageRef[] };
  /** Annotated image-grounded dialogues (annotation.json merged with <P>_with_image.json). */
  dialogues: { train: Scene[]; test: Scene[] };
  /** Text-only extension dialogues (<P>_dialogue_text_extension_{train,test}.json). */
  textDialogues: { train: Scene[]; test: Scene[] };
  knowledgeQa: KnowledgeQa[];
  /** Profile-knowledge MCQ (<P>_knowledge_qa_test.json). */
  knowledgeMcq: Mcq[];
  /** Image MCQ (with_image mcq_items, train split). */
  imageMcq: Mcq[];
  memorizationQuestions: string[];
  personalityQuestions: string[];
  t2iInstructions: { train: T2iInstruction[]; test: T2iInstruction[] };
  vqa: VqaPair[];
  grpo: GrpoPrompt[];
  /** prompts/*.txt of the train folder: the LLM prompts that generated the files. */
  prompts: { name: string; text: string }[];
  processed: ProcessedFile[];
}
