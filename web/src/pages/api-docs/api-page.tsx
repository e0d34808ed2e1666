import { api } from '../../api/api-client';
import type { ListOf, Model } from '../../api/api-types';
import { CodeBlock } from '../../components/code-block';
import { SecretValue } from '../../components/secret-value';
import { PageHeader } from '../../components/page-header';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router/router';
import {
  curlExample,
  nodeChatExample,
  nodeEmbeddingExample,
  pythonChatExample,
  pythonEmbeddingExample,
  type ExampleValues,
} from './api-examples';

const errorRows: readonly [string, string, string][] = [
  ['400', 'Bad request (missing model/messages or another field)', 'Check the request body'],
  ['401', 'Invalid, expired or disabled API key', 'Check the Authorization header and the key'],
  ['402', 'Insufficient balance or wallet suspended', 'Top up, then retry'],
  ['403', 'The key may not use this model (allowlist)', 'Ask for access to the model'],
  [
    '429',
    'Rate limit, token quota or daily limit reached',
    'Back off (Retry-After), or ask for more',
  ],
  ['500', 'Internal server error', 'Retry later'],
  ['502', 'Upstream provider unavailable', 'Retry later or switch model'],
];

/** How to call this gateway: the base URL and ready-to-run examples. */
export default function ApiPage() {
  const models = useResource(() => api.get<ListOf<Model>>('/models'), []);
  const catalog = models.data?.data ?? [];
  const baseUrl = `${window.location.origin}/api/v1`;
  const values: ExampleValues = {
    baseUrl,
    chatModel: catalog.find((model) => model.kind === 'chat')?.id ?? 'deepseek-chat',
    embeddingModel:
      catalog.find((model) => model.kind === 'embedding')?.id ?? 'text-embedding-3-small',
  };

  return (
    <>
      <PageHeader
        title="API"
        description={
          <>
            Compatible with the OpenAI SDKs: set the base URL and use an{' '}
            <Link to="/keys">API key</Link> as the api_key.
          </>
        }
      />
      <section className="card" aria-labelledby="base-url-title">
        <h2 id="base-url-title">Base URL</h2>
        <SecretValue value={baseUrl} label="API base URL" copyLabel="Copy base URL" />
        <p className="muted small">
          Endpoints: <code>POST /chat/completions</code>, <code>POST /embeddings</code>,{' '}
          <code>GET /models</code>.
        </p>
      </section>
      <section className="stack" aria-labelledby="chat-title">
        <h2 id="chat-title">Chat completions</h2>
        <h3>Python</h3>
        <CodeBlock label="Python example" code={pythonChatExample(values)} />
        <h3>Node.js</h3>
        <p className="muted small">
          With the <code>openai</code> package: <code>npm install openai</code>.
        </p>
        <CodeBlock label="Node.js example" code={nodeChatExample(values)} />
        <h3>curl</h3>
        <CodeBlock label="curl example" code={curlExample(values)} />
      </section>
      <section className="stack" aria-labelledby="embeddings-title">
        <h2 id="embeddings-title">Embeddings</h2>
        <CodeBlock label="Python embeddings example" code={pythonEmbeddingExample(values)} />
        <CodeBlock label="Node.js embeddings example" code={nodeEmbeddingExample(values)} />
      </section>
      <section className="stack" aria-labelledby="errors-title">
        <h2 id="errors-title">Errors</h2>
        <div className="table-card table-scroll">
          <table className="data-table" aria-label="Error codes">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Meaning</th>
                <th scope="col">What to do</th>
              </tr>
            </thead>
            <tbody>
              {errorRows.map(([status, meaning, action]) => (
                <tr key={status}>
                  <td>{status}</td>
                  <td>{meaning}</td>
                  <td>{action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">
          Errors use OpenAI&apos;s format:{' '}
          <code>{'{"error": {"message", "type", "param", "code"}}'}</code>. Rate-limit state is in
          the <code>X-RateLimit-Limit</code>, <code>X-RateLimit-Remaining</code> and{' '}
          <code>X-RateLimit-Reset</code> headers.
        </p>
      </section>
    </>
  );
}
