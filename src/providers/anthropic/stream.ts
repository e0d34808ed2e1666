import { ChatChunkWriter } from '../chat-chunk-writer.js';
import {
  MalformedUpstreamError,
  type StreamContext,
  type StreamStep,
  type StreamTranslator,
  type TokenUsage,
  type UpstreamEvent,
} from '../contract.js';
import { isJsonObject, parseUpstreamObject, type JsonObject } from '../json.js';
import { doneFrame, errorFrame } from '../openai-response.js';
import { anthropicError } from './errors.js';
import { anthropicFinishReason, completionId, readAnthropicUsage } from './response.js';

function step(frames: string[]): StreamStep {
  return { frames, done: false };
}

/** The numeric fields of a usage object; later events repeat counts cumulatively. */
function counts(value: unknown): JsonObject {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, count]) => typeof count === 'number'));
}

/**
 * Translates the Messages API's named events into `chat.completion.chunk`s: `message_start` opens
 * the choice, text and tool-input deltas follow as content and tool-call deltas, `message_delta`
 * carries the finish reason and the final output count, `message_stop` ends the stream. Event
 * types Anthropic adds later are skipped, as its versioning policy asks of clients.
 */
export class AnthropicStreamTranslator implements StreamTranslator {
  private readonly writer: ChatChunkWriter;
  /** OpenAI's tool-call index for each tool_use content block, by the block's index. */
  private readonly toolIndexes = new Map<number, number>();
  private usageCounts: JsonObject = {};
  private reportedUsage: TokenUsage | undefined;
  /** Set by message_stop or an error event: nothing more is owed to the client. */
  private ended = false;

  constructor(private readonly context: StreamContext) {
    this.writer = new ChatChunkWriter(context);
  }

  push(event: UpstreamEvent): StreamStep {
    if (this.ended) return { frames: [], done: true };
    const data = parseUpstreamObject(event.data, 'a stream event');
    switch (data.type ?? event.event) {
      case 'message_start':
        return step(this.start(data.message));
      case 'content_block_start':
        return step(this.blockStart(data));
      case 'content_block_delta':
        return step(this.blockDelta(data));
      case 'message_delta':
        this.addUsage(data.usage);
        return step(
          isJsonObject(data.delta) && typeof data.delta.stop_reason === 'string'
            ? [this.writer.finish(0, anthropicFinishReason(data.delta.stop_reason))]
            : [],
        );
      case 'message_stop':
        this.ended = true;
        return { frames: this.closingFrames(), done: true };
      case 'error': {
        // The stream ends here; OpenAI sends no [DONE] after an error, and neither does this.
        this.ended = true;
        const error = anthropicError(data.error);
        return { frames: [errorFrame(error)], done: true, upstreamError: error };
      }
      default:
        // ping, content_block_stop, and anything newer.
        return step([]);
    }
  }

  usage(): TokenUsage | undefined {
    return this.reportedUsage;
  }

  deliveredText(): string {
    return this.writer.deliveredText();
  }

  finish(): string[] {
    if (this.ended) return [];
    // A stream cut after the finish reason lost nothing but message_stop.
    if (this.writer.hasFinished()) {
      this.ended = true;
      return this.closingFrames();
    }
    throw new MalformedUpstreamError('the upstream stream ended before the answer was complete');
  }

  private start(message: unknown): string[] {
    if (!isJsonObject(message)) return [];
    this.writer.identify(
      completionId(message.id),
      typeof message.model === 'string' ? message.model : undefined,
    );
    this.addUsage(message.usage);
    return [this.writer.open(0)];
  }

  private blockStart(data: JsonObject): string[] {
    const block = data.content_block;
    if (!isJsonObject(block)) return [];
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
      return [this.writer.content(0, block.text)];
    }
    if (block.type === 'tool_use' && typeof data.index === 'number') {
      const toolIndex = this.toolIndexes.size;
      this.toolIndexes.set(data.index, toolIndex);
      return [
        this.writer.toolCallStart(0, toolIndex, {
          id: typeof block.id === 'string' ? block.id : '',
          name: typeof block.name === 'string' ? block.name : '',
          arguments: '',
        }),
      ];
    }
    return [];
  }

  private blockDelta(data: JsonObject): string[] {
    const delta = data.delta;
    if (!isJsonObject(delta)) return [];
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') {
      return [this.writer.content(0, delta.text)];
    }
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      // Deltas of blocks that are not tool_use (server tools' input) have no OpenAI counterpart.
      const toolIndex =
        typeof data.index === 'number' ? this.toolIndexes.get(data.index) : undefined;
      if (toolIndex === undefined || delta.partial_json === '') return [];
      return [this.writer.toolCallArguments(0, toolIndex, delta.partial_json)];
    }
    return [];
  }

  private addUsage(value: unknown): void {
    this.usageCounts = { ...this.usageCounts, ...counts(value) };
    this.reportedUsage = readAnthropicUsage(this.usageCounts) ?? this.reportedUsage;
  }

  private closingFrames(): string[] {
    const frames: string[] = [];
    // The SDKs' stream helpers fail a choice that never got a finish reason.
    if (!this.writer.hasFinished()) frames.push(this.writer.finish(0, 'stop'));
    if (this.context.clientWantsUsage && this.reportedUsage) {
      frames.push(this.writer.usage(this.reportedUsage));
    }
    frames.push(doneFrame);
    return frames;
  }
}
