/**
 * The prompt templates of RoleScape-20's processed/ files, copied character for character
 * from the real jsonl records so a model trained on either sees the same framing.
 */

export function t2iPrompt(description: string, user: string, response: string): string {
  return `Character Description: ${description}\n\nUser Input: ${user}\n\nCharacter Response: ${response}\n\nPlease generate an image that visualizes this scene with the character responding to the user's input based on the character description.`;
}

export function t2iThinkingPrompt(description: string, user: string, response: string, thinking: string, generation: string): string {
  return (
    `Character Description: ${description}\n\nUser Input: ${user}\n\nCharacter Response: ${response}\n\nThinking Process: ${thinking}\n\nGeneration Instruction: ${generation}\n\n` +
    `Please generate an image that visualizes this scene with the character responding to the user's input based on the character description, thinking process, and generation instruction.`
  );
}

export function vlmPrompt(description: string, opening: string, user: string, name: string): string {
  return `Character Description: ${description}\n\nOpening: ${opening}\n\nUser Input: ${user}\n\nBased on the character description, opening, conversation history, current user input, and the reference image, please generate ${name}'s response.`;
}

const THINKING_SYSTEM =
  '\n\nSystem Instruction for Thinking and Generation:\n' +
  'You should first think about the planning process in the mind and then generate the image.\n' +
  'The planning process must be enclosed within <think></think>.\n' +
  'Then provide a concise, standardized generation instruction enclosed within <gen></gen> that can be fed to a text-to-image model.\n' +
  'The <gen> instruction should be a single descriptive sentence or a short list of comma-separated attributes, focusing on character, pose/expression, scene context, composition, style, and quality words.\n' +
  'Output format (no additional text):\n<think>...your planning process...</think>\n<gen>...your generation instruction...</gen>\n';

export function vlmThinkingPrompt(description: string, user: string, response: string): string {
  return t2iPrompt(description, user, response) + THINKING_SYSTEM;
}

export function vlmThinkingAnswer(thinking: string, generation: string): string {
  return `<think>${thinking}</think>\n<gen>${generation}</gen>`;
}

/** Image paths inside jsonl records, as in the release: relative to the official data dir. */
export const IMAGE_PATH_PREFIX = 'personalized_data/';
export const REFERENCE_PATH_PREFIX = 'dataset/personalized_t2i/';
