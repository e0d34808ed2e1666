/**
 * Reads an OpenAI chat request into a small, checked shape that adapters for providers with their
 * own wire format (Anthropic, Gemini) translate from. Only the relay's validation has run before
 * this, so every field is looked at as `unknown`; a field the provider cannot be given faithfully
 * is a 400 naming the parameter, never a silently different request.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatRequestBody } from './contract.js';
import { isJsonObject, type JsonObject } from './json.js';

/** One piece of a user message. `cacheControl` is the prompt-caching marker some clients send. */
export type UserPart =
  | { kind: 'text'; text: string; cacheControl: unknown }
  | { kind: 'image'; url: string }
  | { kind: 'audio'; data: string; format: string }
  | { kind: 'file'; dataUrl: string; filename: string | undefined };

/** A function call of an earlier assistant message. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the JSON text the model wrote them in. */
  arguments: string;
  /** The whole tool call as the client sent it back, for provider extensions it carries. */
  raw: JsonObject;
}

/** One message of the conversation, by role; system and developer messages are both `system`. */
export type ChatMessage =
  | { role: 'system'; text: string }
  | { role: 'user'; parts: UserPart[]; plain: string | undefined }
  | { role: 'assistant'; text: string; toolCalls: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string | undefined; text: string };

/** A function the model may call. */
export interface FunctionTool {
  name: string;
  description: string | undefined;
  parameters: JsonObject | undefined;
}

/** The client's `tool_choice`, normalised. */
export type ToolChoice =
  { mode: 'auto' | 'none' | 'required' } | { mode: 'function'; name: string };

/** A 400 for a parameter the upstream cannot be given, in the relay's wording. */
export function invalidParameter(param: string, problem: string): GatewayError {
  return new GatewayError('invalid_value', `Invalid value for '${param}': ${problem}.`, { param });
}

const dataUrlPattern = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

/** The media type and base64 payload of a `data:…;base64,…` URL; undefined for other URLs. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = dataUrlPattern.exec(url);
  if (!match) return undefined;
  return { mediaType: (match[1] as string).toLowerCase(), data: match[2] as string };
}

function userPart(part: unknown, param: string): UserPart {
  if (!isJsonObject(part)) throw invalidParameter(param, 'expected a content part object');
  switch (part.type) {
    case 'text':
      if (typeof part.text !== 'string') throw invalidParameter(`${param}.text`, 'expected text');
      return { kind: 'text', text: part.text, cacheControl: part.cache_control };
    case 'image_url': {
      const image = part.image_url;
      const url = isJsonObject(image) ? image.url : image;
      if (typeof url !== 'string')
        throw invalidParameter(`${param}.image_url.url`, 'expected a URL');
      return { kind: 'image', url };
    }
    case 'input_audio': {
      const audio = isJsonObject(part.input_audio) ? part.input_audio : {};
      if (typeof audio.data !== 'string' || typeof audio.format !== 'string') {
        throw invalidParameter(`${param}.input_audio`, 'expected base64 data and a format');
      }
      return { kind: 'audio', data: audio.data, format: audio.format };
    }
    case 'file': {
      const file = isJsonObject(part.file) ? part.file : {};
      if (typeof file.file_data !== 'string' || !parseDataUrl(file.file_data)) {
        // A file_id names a file stored at OpenAI, which no other provider can read.
        throw invalidParameter(`${param}.file`, 'only inline file_data as a base64 data URL works');
      }
      const filename = typeof file.filename === 'string' ? file.filename : undefined;
      return { kind: 'file', dataUrl: file.file_data, filename };
    }
    default:
      throw invalidParameter(
        `${param}.type`,
        `content parts of type ${JSON.stringify(part.type)} are not supported by this model`,
      );
  }
}

/** Text of a content that may only hold text: a string, or text (and refusal) parts joined. */
function textOnly(content: unknown, param: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidParameter(param, 'expected a string or an array');
  let text = '';
  content.forEach((part, index) => {
    if (isJsonObject(part) && part.type === 'text' && typeof part.text === 'string') {
      text += part.text;
    } else if (isJsonObject(part) && part.type === 'refusal' && typeof part.refusal === 'string') {
      text += part.refusal;
    } else {
      throw invalidParameter(`${param}[${index}]`, 'only text parts are allowed here');
    }
  });
  return text;
}

function toolCalls(value: unknown, param: string): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(param, 'expected an array');
  return value.map((call, index) => {
    const where = `${param}[${index}]`;
    if (!isJsonObject(call) || !isJsonObject(call.function) || typeof call.id !== 'string') {
      throw invalidParameter(where, 'expected a function tool call with an id');
    }
    const { name, arguments: args } = call.function;
    if (typeof name !== 'string')
      throw invalidParameter(`${where}.function.name`, 'expected a name');
    return { id: call.id, name, arguments: typeof args === 'string' ? args : '', raw: call };
  });
}

/**
 * The request's messages, checked and normalised. Tool results learn the name of the function
 * they answer from the assistant message that made the call, which some providers need.
 */
export function readChatMessages(body: ChatRequestBody): ChatMessage[] {
  const namesById = new Map<string, string>();
  return body.messages.map((message, index): ChatMessage => {
    const param = `messages[${index}]`;
    if (!isJsonObject(message)) throw invalidParameter(param, 'expected a message object');
    const content = message.content;
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', text: textOnly(content, `${param}.content`) };
      case 'user':
        if (typeof content === 'string') return { role: 'user', parts: [], plain: content };
        if (!Array.isArray(content)) {
          throw invalidParameter(`${param}.content`, 'expected a string or an array');
        }
        return {
          role: 'user',
          parts: content.map((part, at) => userPart(part, `${param}.content[${at}]`)),
          plain: undefined,
        };
      case 'assistant': {
        const calls = toolCalls(message.tool_calls, `${param}.tool_calls`);
        for (const call of calls) namesById.set(call.id, call.name);
        return { role: 'assistant', text: textOnly(content, `${param}.content`), toolCalls: calls };
      }
      case 'tool': {
        if (typeof message.tool_call_id !== 'string') {
          throw invalidParameter(`${param}.tool_call_id`, 'expected the id of a tool call');
        }
        const text = textOnly(content, `${param}.content`);
        const name = namesById.get(message.tool_call_id);
        return { role: 'tool', toolCallId: message.tool_call_id, name, text };
      }
      default:
        throw invalidParameter(
          `${param}.role`,
          `messages with the role ${JSON.stringify(message.role)} are not supported by this model; use system, developer, user, assistant or tool`,
        );
    }
  });
}

/** The request's function tools; undefined when it has none. */
export function readFunctionTools(tools: unknown): FunctionTool[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalidParameter('tools', 'expected an array');
  if (tools.length === 0) return undefined;
  return tools.map((tool, index) => {
    const param = `tools[${index}]`;
    if (!isJsonObject(tool) || tool.type !== 'function' || !isJsonObject(tool.function)) {
      throw invalidParameter(param, 'only function tools are supported by this model');
    }
    const { name, description, parameters } = tool.function;
    if (typeof name !== 'string')
      throw invalidParameter(`${param}.function.name`, 'expected a name');
    return {
      name,
      description: typeof description === 'string' ? description : undefined,
      parameters: isJsonObject(parameters) ? parameters : undefined,
    };
  });
}

/** The request's `tool_choice`; undefined when absent. */
export function readToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { mode: value };
  if (
    isJsonObject(value) &&
    isJsonObject(value.function) &&
    typeof value.function.name === 'string'
  ) {
    return { mode: 'function', name: value.function.name };
  }
  throw invalidParameter('tool_choice', 'expected "auto", "none", "required" or a named function');
}

/** A tool call's arguments as the JSON object providers want, or a 400 naming the call. */
export function parseToolArguments(call: ToolCall, param: string): JsonObject {
  if (call.arguments.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments);
  } catch {
    parsed = undefined;
  }
  if (!isJsonObject(parsed)) throw invalidParameter(param, 'the arguments must be a JSON object');
  return parsed;
}

/** `stop` as a list of sequences; undefined when the client set none. */
export function readStopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) {
    const sequences = stop.filter((item): item is string => typeof item === 'string');
    return sequences.length > 0 ? sequences : undefined;
  }
  return undefined;
}

/**
 * The output cap to send: the gateway's own (set only when the client gave none, so the hold
 * covers what the upstream may write), else the client's `max_completion_tokens` or `max_tokens`.
 */
export function outputTokenCap(
  body: ChatRequestBody,
  maxOutputTokens: number | undefined,
): number | undefined {
  return maxOutputTokens ?? body.max_completion_tokens ?? body.max_tokens ?? undefined;
}

/** A finite number field, or undefined. */
export function numberField(object: JsonObject, field: string): number | undefined {
  const value = object[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
