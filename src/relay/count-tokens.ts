import type { TokenUsage } from '../providers/contract.js';

type CountTokens = (text: string) => number;

let tokenizer: Promise<CountTokens> | undefined;

/**
 * The tokenizer is loaded on first use: it is only needed when an upstream reports no usage,
 * and its tables would otherwise cost every process start time and memory.
 */
function loadTokenizer(): Promise<CountTokens> {
  tokenizer ??= import('gpt-tokenizer').then(
    (module) => (text: string) => module.countTokens(text),
  );
  return tokenizer;
}

// OpenAI's documented chat framing: about 3 tokens per message plus 3 to prime the reply.
const tokensPerMessage = 3;
const tokensPerReply = 3;

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      typeof part === 'object' &&
      part !== null &&
      typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

/** Counts a chat prompt's tokens with the o200k tokenizer, for upstreams that report no usage. */
export async function countPromptTokens(messages: readonly unknown[]): Promise<number> {
  const count = await loadTokenizer();
  let total = tokensPerReply;
  for (const message of messages) {
    total += tokensPerMessage;
    if (typeof message === 'object' && message !== null) {
      total += count(messageText((message as { content?: unknown }).content));
    }
  }
  return total;
}

/** Counts the tokens of text the model produced. */
export async function countTextTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  return (await loadTokenizer())(text);
}

/** The usage the upstream reported, or failing that, the gateway's own count. */
export async function usageOrCount(
  reported: TokenUsage | undefined,
  messages: readonly unknown[],
  completionText: string,
): Promise<TokenUsage> {
  if (reported) return reported;
  const [promptTokens, completionTokens] = await Promise.all([
    countPromptTokens(messages),
    countTextTokens(completionText),
  ]);
  return { promptTokens, completionTokens, cachedTokens: 0 };
}
