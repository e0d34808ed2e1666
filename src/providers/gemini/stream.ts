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
import { geminiError } from './errors.js';
import {
  completionId,
  geminiFinishReason,
  promptBlocked,
  readGeminiUsage,
  readParts,
  ToolCallIds,
  type GeminiUsage,
} from './response.js';

/**
 * Translates streamGenerateContent's SSE (`alt=sse`), where every event is a whole
 * GenerateContentResponse holding the next piece of each candidate, into `chat.completion.chunk`s.
 * Gemini sends no end marker: the stream is complete once a candidate has a finish reason, and
 * the usage chunk and `[DONE]` go out from `finish()`, after the last usage count arrived.
 */
export class GeminiStreamTranslator implements StreamTranslator {
  private readonly writer: ChatChunkWriter;
  private ids: ToolCallIds | undefined;
  /** How many function calls each choice has streamed: the next OpenAI tool-call index. */
  private readonly toolCounts = new Map<number, number>();
  private reported: GeminiUsage | undefined;
  /** Set by an error chunk: nothing more is owed to the client. */
  private ended = false;

  constructor(private readonly context: StreamContext) {
    this.writer = new ChatChunkWriter(context);
  }

  push(event: UpstreamEvent): StreamStep {
    if (this.ended) return { frames: [], done: true };
    const chunk = parseUpstreamObject(event.data, 'a stream chunk');
    if (chunk.error !== undefined && chunk.error !== null) {
      // Google ends a failed stream with the error; OpenAI sends no [DONE] after one either.
      this.ended = true;
      const error = geminiError(chunk.error);
      return { frames: [errorFrame(error)], done: true, upstreamError: error };
    }
    if (
      !Array.isArray(chunk.candidates) &&
      !isJsonObject(chunk.usageMetadata) &&
      !isJsonObject(chunk.promptFeedback)
    ) {
      throw new MalformedUpstreamError('the upstream sent a stream chunk without candidates');
    }
    if (this.ids === undefined) {
      this.ids = new ToolCallIds(chunk.responseId);
      this.writer.identify(
        typeof chunk.responseId === 'string' ? completionId(chunk.responseId) : undefined,
        typeof chunk.modelVersion === 'string' ? chunk.modelVersion : undefined,
      );
    }
    this.reported = readGeminiUsage(chunk.usageMetadata) ?? this.reported;
    return { frames: this.candidateFrames(chunk, this.ids), done: false };
  }

  usage(): TokenUsage | undefined {
    return this.reported?.usage;
  }

  deliveredText(): string {
    return this.writer.deliveredText();
  }

  finish(): string[] {
    if (this.ended) return [];
    if (!this.writer.hasFinished()) {
      throw new MalformedUpstreamError('the upstream stream ended before the answer was complete');
    }
    this.ended = true;
    const frames: string[] = [];
    if (this.context.clientWantsUsage && this.reported) {
      frames.push(this.writer.usage(this.reported.usage, this.reported.reasoningTokens));
    }
    frames.push(doneFrame);
    return frames;
  }

  private candidateFrames(chunk: JsonObject, ids: ToolCallIds): string[] {
    const frames: string[] = [];
    const candidates = Array.isArray(chunk.candidates) ? chunk.candidates : [];
    if (candidates.length === 0 && promptBlocked(chunk)) {
      frames.push(this.writer.finish(0, 'content_filter'));
    }
    candidates.forEach((candidate, position) => {
      if (!isJsonObject(candidate)) return;
      const choice = typeof candidate.index === 'number' ? candidate.index : position;
      const { text, calls } = readParts(candidate.content, ids);
      // OpenAI opens each choice with a chunk of its own carrying only the role.
      if (!this.writer.isOpen(choice)) frames.push(this.writer.open(choice));
      if (text !== '') frames.push(this.writer.content(choice, text));
      for (const call of calls) {
        const toolIndex = this.toolCounts.get(choice) ?? 0;
        this.toolCounts.set(choice, toolIndex + 1);
        // Gemini streams a function call whole, so its arguments go out with its name.
        frames.push(this.writer.toolCallStart(choice, toolIndex, call));
      }
      const reason = geminiFinishReason(candidate.finishReason, this.toolCounts.has(choice));
      if (reason !== undefined) frames.push(this.writer.finish(choice, reason));
    });
    return frames.filter((frame) => frame !== '');
  }
}
