import type { ChatRequestBody } from '../contract.js';
import type { JsonObject } from '../json.js';
import {
  invalidParameter,
  numberField,
  outputTokenCap,
  parseDataUrl,
  parseToolArguments,
  readChatMessages,
  readFunctionTools,
  readStopSequences,
  readToolChoice,
  type ChatMessage,
  type UserPart,
} from '../openai-request.js';

interface Turn {
  role: 'user' | 'assistant';
  content: string | JsonObject[];
}

/**
 * Anthropic accepts tool_use ids matching `^[a-zA-Z0-9_-]+$`; ids another provider issued earlier
 * in the conversation may not, so other characters become `_` (the same way in the tool_use block
 * and in the tool_result that answers it, so they still pair up).
 */
function toolUseId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

function imageBlock(url: string): JsonObject {
  const inline = parseDataUrl(url);
  return inline
    ? { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } }
    : { type: 'image', source: { type: 'url', url } };
}

function userBlock(part: UserPart, param: string): JsonObject {
  switch (part.kind) {
    case 'text': {
      const block: JsonObject = { type: 'text', text: part.text };
      // The caching marker means the same thing to Anthropic, which defined it.
      if (part.cacheControl !== undefined) block.cache_control = part.cacheControl;
      return block;
    }
    case 'image':
      return imageBlock(part.url);
    case 'file': {
      const inline = parseDataUrl(part.dataUrl);
      if (inline?.mediaType !== 'application/pdf') {
        throw invalidParameter(`${param}.file`, 'Anthropic models read PDF files only');
      }
      return {
        type: 'document',
        source: { type: 'base64', media_type: inline.mediaType, data: inline.data },
      };
    }
    case 'audio':
      throw invalidParameter(`${param}.input_audio`, 'Anthropic models do not accept audio');
  }
}

function assistantContent(message: Extract<ChatMessage, { role: 'assistant' }>, param: string) {
  if (message.toolCalls.length === 0) return message.text;
  const blocks: JsonObject[] = [];
  // Anthropic rejects empty text blocks; a tool-calling turn often has no text.
  if (message.text !== '') blocks.push({ type: 'text', text: message.text });
  message.toolCalls.forEach((call, index) => {
    blocks.push({
      type: 'tool_use',
      id: toolUseId(call.id),
      name: call.name,
      input: parseToolArguments(call, `${param}.tool_calls[${index}].function.arguments`),
    });
  });
  return blocks;
}

/**
 * Splits the conversation into Anthropic's top-level `system` text and alternating turns. OpenAI
 * tool messages become `tool_result` blocks of a user turn; consecutive ones share one turn, as
 * Anthropic wants every result for a turn's parallel calls in the next user message.
 */
function conversation(body: ChatRequestBody): { system: string[]; turns: Turn[] } {
  const system: string[] = [];
  const turns: Turn[] = [];
  let toolResults: JsonObject[] | undefined;
  readChatMessages(body).forEach((message, index) => {
    const param = `messages[${index}]`;
    if (message.role !== 'tool') toolResults = undefined;
    switch (message.role) {
      case 'system':
        if (message.text !== '') system.push(message.text);
        return;
      case 'user':
        turns.push({
          role: 'user',
          content:
            message.plain ??
            message.parts.map((part, at) => userBlock(part, `${param}.content[${at}]`)),
        });
        return;
      case 'assistant': {
        const content = assistantContent(message, param);
        // An empty assistant turn is rejected by Anthropic and says nothing to the model.
        if (content.length > 0) turns.push({ role: 'assistant', content });
        return;
      }
      case 'tool': {
        const block = {
          type: 'tool_result',
          tool_use_id: toolUseId(message.toolCallId),
          content: message.text,
        };
        if (toolResults) toolResults.push(block);
        else {
          toolResults = [block];
          turns.push({ role: 'user', content: toolResults });
        }
      }
    }
  });
  return { system, turns };
}

function toolChoice(body: ChatRequestBody): JsonObject | undefined {
  const choice = readToolChoice(body.tool_choice);
  const serial = body.parallel_tool_calls === false;
  if (choice === undefined && !serial) return undefined;
  if (choice?.mode === 'none') return { type: 'none' };
  const mapped: JsonObject =
    choice === undefined || choice.mode === 'auto'
      ? { type: 'auto' }
      : choice.mode === 'function'
        ? { type: 'tool', name: choice.name }
        : { type: 'any' };
  if (serial) mapped.disable_parallel_tool_use = true;
  return mapped;
}

/**
 * The body of a Messages API call for an OpenAI chat request. `max_tokens` is required by
 * Anthropic, so one is always sent: the gateway's cap, the client's, or the configured default.
 * Fields without an Anthropic counterpart (penalties, seed, logprobs, response_format) are dropped.
 */
export function anthropicMessagesBody(
  body: ChatRequestBody,
  upstreamModel: string,
  maxOutputTokens: number | undefined,
  defaultMaxTokens: number,
): JsonObject {
  if ((body.n ?? 1) > 1) throw invalidParameter('n', 'Anthropic models return one choice; use 1');
  const { system, turns } = conversation(body);
  const outgoing: JsonObject = {
    model: upstreamModel,
    max_tokens: outputTokenCap(body, maxOutputTokens) ?? defaultMaxTokens,
  };
  if (system.length > 0) outgoing.system = system.join('\n\n');
  outgoing.messages = turns;
  const stop = readStopSequences(body.stop);
  if (stop) outgoing.stop_sequences = stop;
  const temperature = numberField(body, 'temperature');
  if (temperature !== undefined) outgoing.temperature = temperature;
  const topP = numberField(body, 'top_p');
  if (topP !== undefined) outgoing.top_p = topP;
  if (body.stream === true) outgoing.stream = true;
  const tools = readFunctionTools(body.tools);
  if (tools) {
    outgoing.tools = tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: tool.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoice(body);
    if (choice) outgoing.tool_choice = choice;
  }
  const user = body.safety_identifier ?? body.user;
  if (typeof user === 'string' && user !== '') outgoing.metadata = { user_id: user };
  return outgoing;
}
