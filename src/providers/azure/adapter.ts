import type {
  ProviderAdapter,
  StreamContext,
  StreamStep,
  StreamTranslator,
  TokenUsage,
  UpstreamEvent,
  UpstreamHttpRequest,
  UpstreamTarget,
} from '../contract.js';
import { isJsonObject, parseUpstreamObject } from '../json.js';
import { createOpenAICompatibleAdapter } from '../openai-compatible/adapter.js';

/** Settings of an Azure OpenAI provider (one Azure OpenAI resource). */
export interface AzureOpenAIOptions {
  /** The `api-version` query parameter, e.g. `2024-10-21`. */
  apiVersion: string;
  /**
   * The Azure deployment to call. Unset, each Switchyard deployment's upstream model name is
   * used as the Azure deployment name, so one provider serves all of a resource's deployments.
   */
  deployment?: string;
  /** The field that carries the gateway's output cap; Azure's o-series deployments want the second. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/**
 * Azure marks the chunks that carry only content-filter results (the prompt's, first; the
 * asynchronous filter's annotations, late) with `"object":""`, and gives annotation choices no
 * `delta` and a null `system_fingerprint`. Clients that check the object type or read
 * `choices[0].delta` break on them, so those chunks are mended; their filter results pass
 * through. Every other chunk is left as it came.
 */
function mendFilterChunk(event: UpstreamEvent): UpstreamEvent {
  if (!event.data.includes('"object":""')) return event;
  const chunk = parseUpstreamObject(event.data, 'a stream chunk');
  chunk.object = 'chat.completion.chunk';
  // OpenAI's schema has no null fingerprint; these chunks come from the filter, not a model.
  if (chunk.system_fingerprint === null) delete chunk.system_fingerprint;
  if (Array.isArray(chunk.choices)) {
    for (const choice of chunk.choices) {
      if (isJsonObject(choice) && !isJsonObject(choice.delta)) choice.delta = {};
    }
  }
  return { event: event.event, data: JSON.stringify(chunk) };
}

class AzureStreamTranslator implements StreamTranslator {
  constructor(private readonly inner: StreamTranslator) {}

  push(event: UpstreamEvent): StreamStep {
    return this.inner.push(mendFilterChunk(event));
  }

  usage(): TokenUsage | undefined {
    return this.inner.usage();
  }

  deliveredText(): string {
    return this.inner.deliveredText();
  }

  finish(): string[] {
    return this.inner.finish();
  }
}

/**
 * The adapter for Azure OpenAI (base URL `https://{resource}.openai.azure.com`). The bodies are
 * OpenAI's, so the openai-compatible adapter does the translation; this one only points it at
 * `/openai/deployments/{deployment}/…?api-version=…` and authenticates with `api-key`. Azure's
 * content-filter fields (`prompt_filter_results`, `content_filter_results`) pass through.
 */
export function createAzureOpenAIAdapter(options: AzureOpenAIOptions): ProviderAdapter {
  const inner = createOpenAICompatibleAdapter({
    maxTokensField: options.maxTokensField ?? 'max_tokens',
  });
  const query = `?api-version=${encodeURIComponent(options.apiVersion)}`;

  /**
   * The target the inner adapter builds for: the deployment's path as base path, the deployment
   * name as model (Azure ignores the body's model, and the official SDK sends it the same way),
   * and no key, so no bearer header is written.
   */
  function deploymentTarget(target: UpstreamTarget): UpstreamTarget {
    const deployment = options.deployment ?? target.upstreamModel;
    return {
      ...target,
      basePath: `${target.basePath}/openai/deployments/${encodeURIComponent(deployment)}`,
      upstreamModel: deployment,
      apiKey: null,
    };
  }

  function forAzure(request: UpstreamHttpRequest, apiKey: string | null): UpstreamHttpRequest {
    const headers = apiKey ? { ...request.headers, 'api-key': apiKey } : request.headers;
    return { ...request, path: request.path + query, headers };
  }

  return {
    specificationVersion: 'v1',
    kind: 'azure',

    chatRequest(input) {
      const request = inner.chatRequest({ ...input, target: deploymentTarget(input.target) });
      return forAzure(request, input.target.apiKey);
    },

    chatResponse: (body, context) => inner.chatResponse(body, context),

    chatStream(context: StreamContext): StreamTranslator {
      return new AzureStreamTranslator(inner.chatStream(context));
    },

    embeddingsRequest(input) {
      const request = inner.embeddingsRequest({ ...input, target: deploymentTarget(input.target) });
      return forAzure(request, input.target.apiKey);
    },

    embeddingsResponse: (body, requested) => inner.embeddingsResponse(body, requested),

    errorResponse: (status, body) => inner.errorResponse(status, body),

    // Azure lists the models the resource can deploy at /openai/models, beside the deployments.
    modelsRequest(target) {
      const request = inner.modelsRequest({
        ...target,
        basePath: `${target.basePath}/openai`,
        apiKey: null,
      });
      return forAzure(request, target.apiKey);
    },
  };
}
