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

/**
 * Counts a chat prompt's tokens with the o200k tokenizer, for upstreams that report no usage:
 * every message's text with OpenAI's framing, plus tool definitions as the JSON they are sent as.
 */
export async function countPromptTokens(body: {
  messages: readonly unknown[];
  tools?: unknown;
}): Promise<number> {
  const count = await loadTokenizer();
  let total = tokensPerReply;
  for (const message of body.messages) {
    total += tokensPerMessage;
    if (typeof message === 'object' && message !== null) {
      total += count(messageText((message as { content?: unknown }).content));
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0)
    total += count(JSON.stringify(body.tools));
  return total;
}

/** Counts an embeddings input: text through the tokenizer, token-id arrays by their length. */
export async function countInputTokens(input: unknown): Promise<number> {
  const items: unknown[] =
    Array.isArray(input) && input.every((item) => typeof item === 'number')
      ? [input]
      : Array.isArray(input)
        ? input
        : [input];
  let total = 0;
  for (const item of items) {
    if (typeof item === 'string') total += await countTextTokens(item);
    else if (Array.isArray(item)) total += item.length;
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
  body: { messages: readonly unknown[]; tools?: unknown },
  completionText: string,
): Promise<TokenUsage> {
  if (reported) return reported;
  const [promptTokens, completionTokens] = await Promise.all([
    countPromptTokens(body),
    countTextTokens(completionText),
  ]);
  return { promptTokens, completionTokens, cachedTokens: 0 };
}
