/** Citations: numbering the retrieved passages and building the prompt that asks the model to cite them. */
export {
  type BuildPromptOptions,
  type BuiltPrompt,
  buildPrompt,
  buildSystemPrompt,
  formatPassage,
  formatQuestionMessage,
  type SystemPromptOptions,
} from "./prompt.js";
export { toSources } from "./sources.js";
