import type { ChatRequestBody, UpstreamTarget } from '../contract.js';
import { isJsonObject, type JsonObject } from '../json.js';
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
  type ToolCall,
  type UserPart,
} from '../openai-request.js';

/** The resource name of the upstream model: `models/x`, unless the operator gave a full name. */
export function geminiModelName(upstreamModel: string): string {
  return upstreamModel.includes('/') ? upstreamModel : `models/${upstreamModel}`;
}

/**
 * The base path with the API version, added the way Google's SDKs add it to Google's host; a base
 * URL that already ends in that version is not given it twice.
 */
export function geminiVersionPath(target: UpstreamTarget, apiVersion: string): string {
  return target.basePath.endsWith(`/${apiVersion}`)
    ? target.basePath
    : `${target.basePath}/${apiVersion}`;
}

/** The path of a model method. */
export function geminiPath(target: UpstreamTarget, apiVersion: string, method: string): string {
  return `${geminiVersionPath(target, apiVersion)}/${geminiModelName(target.upstreamModel)}:${method}`;
}

function userPart(part: UserPart, param: string): JsonObject {
  switch (part.kind) {
    case 'text':
      return { text: part.text };
    case 'image': {
      const inline = parseDataUrl(part.url);
      // Gemini fetches only URIs it knows (Files API, Cloud Storage, some public URLs); it says
      // so itself when it cannot, which is a better message than a guess here.
      return inline
        ? { inlineData: { mimeType: inline.mediaType, data: inline.data } }
        : { fileData: { fileUri: part.url } };
    }
    case 'audio':
      return { inlineData: { mimeType: `audio/${part.format}`, data: part.data } };
    case 'file': {
      const inline = parseDataUrl(part.dataUrl);
      if (!inline) throw invalidParameter(`${param}.file`, 'expected a base64 data URL');
      return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
    }
  }
}

/**
 * The thought signature Gemini attached to a function call, as the client sent it back in the
 * tool call's `extra_content.google.thought_signature` (where Google's own OpenAI-compatible
 * endpoint puts it). Gemini 3 rejects a conversation whose function calls lost theirs.
 */
function thoughtSignature(call: ToolCall): string | undefined {
  const extra = call.raw.extra_content;
  const google = isJsonObject(extra) ? extra.google : undefined;
  const signature = isJsonObject(google) ? google.thought_signature : undefined;
  return typeof signature === 'string' ? signature : undefined;
}

function modelParts(message: Extract<ChatMessage, { role: 'assistant' }>, param: string) {
  const parts: JsonObject[] = [];
  if (message.text !== '') parts.push({ text: message.text });
  message.toolCalls.forEach((call, index) => {
    const args = parseToolArguments(call, `${param}.tool_calls[${index}].function.arguments`);
    const part: JsonObject = { functionCall: { name: call.name, args } };
    const signature = thoughtSignature(call);
    if (signature !== undefined) part.thoughtSignature = signature;
    parts.push(part);
  });
  return parts;
}

/** A tool's output as the JSON object Gemini wants: a JSON object as is, other text as `output`. */
function functionResponse(text: string): JsonObject {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isJsonObject(parsed)) return parsed;
  } catch {
    // Plain text: wrapped below.
  }
  return { output: text };
}

function conversation(body: ChatRequestBody): { system: JsonObject[]; contents: JsonObject[] } {
  const system: JsonObject[] = [];
  const contents: JsonObject[] = [];
  let responses: JsonObject[] | undefined;
  readChatMessages(body).forEach((message, index) => {
    const param = `messages[${index}]`;
    if (message.role !== 'tool') responses = undefined;
    switch (message.role) {
      case 'system':
        if (message.text !== '') system.push({ text: message.text });
        return;
      case 'user':
        contents.push({
          role: 'user',
          parts:
            message.plain === undefined
              ? message.parts.map((part, at) => userPart(part, `${param}.content[${at}]`))
              : [{ text: message.plain }],
        });
        return;
      case 'assistant': {
        const parts = modelParts(message, param);
        if (parts.length > 0) contents.push({ role: 'model', parts });
        return;
      }
      case 'tool': {
        // Gemini pairs results with calls by function name, which OpenAI's messages only carry on
        // the call; the result of a call not in the conversation cannot be sent.
        if (message.name === undefined) {
          throw invalidParameter(
            `${param}.tool_call_id`,
            'no earlier assistant message has a tool call with this id',
          );
        }
        const part = {
          functionResponse: { name: message.name, response: functionResponse(message.text) },
        };
        // The results of one turn's parallel calls go back together, in one content.
        if (responses) responses.push(part);
        else {
          responses = [part];
          contents.push({ role: 'user', parts: responses });
        }
      }
    }
  });
  return { system, contents };
}

function toolConfig(body: ChatRequestBody): JsonObject | undefined {
  const choice = readToolChoice(body.tool_choice);
  if (choice === undefined) return undefined;
  switch (choice.mode) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'function':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
}

function generationConfig(body: ChatRequestBody, maxOutputTokens: number | undefined): JsonObject {
  const config: JsonObject = {};
  const stop = readStopSequences(body.stop);
  if (stop) config.stopSequences = stop;
  const format = isJsonObject(body.response_format) ? body.response_format : {};
  if (format.type === 'json_object' || format.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    const schema = isJsonObject(format.json_schema) ? format.json_schema.schema : undefined;
    if (format.type === 'json_schema' && isJsonObject(schema)) config.responseJsonSchema = schema;
  }
  if ((body.n ?? 1) > 1) config.candidateCount = body.n;
  const cap = outputTokenCap(body, maxOutputTokens);
  if (cap !== undefined) config.maxOutputTokens = cap;
  const fields = [
    ['temperature', 'temperature'],
    ['top_p', 'topP'],
    ['seed', 'seed'],
    ['presence_penalty', 'presencePenalty'],
    ['frequency_penalty', 'frequencyPenalty'],
  ] as const;
  for (const [from, to] of fields) {
    const value = numberField(body, from);
    if (value !== undefined) config[to] = value;
  }
  return config;
}

/**
 * The body of a generateContent call for an OpenAI chat request. Function parameters go out as
 * `parametersJsonSchema`, which takes JSON Schema as OpenAI clients write it (with
 * `additionalProperties`, `$ref`, …) where the older `parameters` takes only an OpenAPI subset.
 */
export function geminiChatBody(body: ChatRequestBody, maxOutputTokens: number | undefined) {
  const { system, contents } = conversation(body);
  const outgoing: JsonObject = {};
  if (system.length > 0) outgoing.systemInstruction = { parts: system };
  outgoing.contents = contents;
  const tools = readFunctionTools(body.tools);
  if (tools) {
    outgoing.tools = [
      {
        functionDeclarations: tools.map((tool) => ({
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          ...(tool.parameters === undefined ? {} : { parametersJsonSchema: tool.parameters }),
        })),
      },
    ];
    const config = toolConfig(body);
    if (config) outgoing.toolConfig = config;
  }
  const config = generationConfig(body, maxOutputTokens);
  if (Object.keys(config).length > 0) outgoing.generationConfig = config;
  return outgoing;
}
