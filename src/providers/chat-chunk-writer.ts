import type { StreamContext, TokenUsage } from './contract.js';
import type { JsonObject } from './json.js';
import {
  epochSeconds,
  jsonFrame,
  randomIdSuffix,
  toolCallObject,
  usageObject,
  type FinishReason,
  type OutputToolCall,
} from './openai-response.js';

/**
 * Writes OpenAI `chat.completion.chunk` frames for a stream translated from another format, and
 * keeps what the relay meters: the text delivered. Every chunk of one stream shares its id,
 * `created` and model; each choice's first delta carries `role: 'assistant'`, because the
 * official SDKs' stream helpers refuse a choice whose role never arrived.
 */
export class ChatChunkWriter {
  private id = `chatcmpl-${randomIdSuffix()}`;
  private model: string;
  private readonly created = epochSeconds();
  private readonly opened = new Set<number>();
  private readonly finished = new Set<number>();
  private readonly text: string[] = [];

  constructor(context: StreamContext) {
    this.model = context.publicModel;
  }

  /** Adopts the upstream's id and model name once they are known. */
  identify(id: string | undefined, model: string | undefined): void {
    if (id) this.id = id;
    if (model) this.model = model;
  }

  /** The opening chunk of a choice, `{role: 'assistant', content: ''}`, as OpenAI sends it. */
  open(choice: number): string {
    return this.delta(choice, { content: '' });
  }

  isOpen(choice: number): boolean {
    return this.opened.has(choice);
  }

  content(choice: number, text: string): string {
    this.text.push(text);
    return this.delta(choice, { content: text });
  }

  /** A tool call's first delta: its id, type and name, and arguments when known whole. */
  toolCallStart(choice: number, toolIndex: number, call: OutputToolCall): string {
    this.text.push(call.name, call.arguments);
    return this.delta(choice, { tool_calls: [{ index: toolIndex, ...toolCallObject(call) }] });
  }

  toolCallArguments(choice: number, toolIndex: number, fragment: string): string {
    this.text.push(fragment);
    return this.delta(choice, {
      tool_calls: [{ index: toolIndex, function: { arguments: fragment } }],
    });
  }

  /** The chunk that ends a choice; later finishes of the same choice write nothing. */
  finish(choice: number, reason: FinishReason): string {
    if (this.finished.has(choice)) return '';
    this.finished.add(choice);
    return this.chunk([
      { index: choice, delta: this.withRole(choice, {}), logprobs: null, finish_reason: reason },
    ]);
  }

  /** True once any choice has ended: the answer is complete enough to close the stream. */
  hasFinished(): boolean {
    return this.finished.size > 0;
  }

  /** The usage-only chunk OpenAI sends last when the client asked for `include_usage`. */
  usage(usage: TokenUsage, reasoningTokens?: number): string {
    return jsonFrame({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [],
      usage: usageObject(usage, reasoningTokens),
    });
  }

  deliveredText(): string {
    return this.text.join('');
  }

  private withRole(choice: number, delta: JsonObject): JsonObject {
    if (this.opened.has(choice)) return delta;
    this.opened.add(choice);
    return { role: 'assistant', ...delta };
  }

  private delta(choice: number, delta: JsonObject): string {
    return this.chunk([
      { index: choice, delta: this.withRole(choice, delta), logprobs: null, finish_reason: null },
    ]);
  }

  private chunk(choices: JsonObject[]): string {
    return jsonFrame({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices,
    });
  }
}
