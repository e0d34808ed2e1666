/** What the examples are filled with. */
export interface ExampleValues {
  /** This server's OpenAI-compatible base URL, e.g. https://gateway.example.com/api/v1. */
  baseUrl: string;
  chatModel: string;
  embeddingModel: string;
}

/** The seed API documentation's Python chat example, with this server's base URL. */
export function pythonChatExample({ baseUrl, chatModel }: ExampleValues): string {
  return `from openai import OpenAI

client = OpenAI(
    api_key="YOUR_API_KEY",
    base_url="${baseUrl}"
)

# Non-streaming
response = client.chat.completions.create(
    model="${chatModel}",
    messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello!"}
    ],
    max_tokens=1000
)
print(response.choices[0].message.content)

# Streaming
stream = client.chat.completions.create(
    model="${chatModel}",
    messages=[{"role": "user", "content": "Hello!"}],
    stream=True
)
for chunk in stream:
    if chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="")`;
}

/** The same requests with the `openai` npm package (ES modules, Node 18+). */
export function nodeChatExample({ baseUrl, chatModel }: ExampleValues): string {
  return `import OpenAI from 'openai';

const client = new OpenAI({
  apiKey: 'YOUR_API_KEY',
  baseURL: '${baseUrl}',
});

// Non-streaming
const response = await client.chat.completions.create({
  model: '${chatModel}',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Hello!' },
  ],
  max_tokens: 1000,
});
console.log(response.choices[0].message.content);

// Streaming
const stream = await client.chat.completions.create({
  model: '${chatModel}',
  messages: [{ role: 'user', content: 'Hello!' }],
  stream: true,
});
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
}`;
}

/** The seed's Python embeddings example. */
export function pythonEmbeddingExample({ baseUrl, embeddingModel }: ExampleValues): string {
  return `from openai import OpenAI

client = OpenAI(
    api_key="YOUR_API_KEY",
    base_url="${baseUrl}"
)

response = client.embeddings.create(
    model="${embeddingModel}",
    input="Hello world"
)
print(f"Dimensions: {len(response.data[0].embedding)}")
print(f"Vector: {response.data[0].embedding[:5]}...")`;
}

/** Embeddings with the `openai` npm package. */
export function nodeEmbeddingExample({ baseUrl, embeddingModel }: ExampleValues): string {
  return `import OpenAI from 'openai';

const client = new OpenAI({ apiKey: 'YOUR_API_KEY', baseURL: '${baseUrl}' });

const response = await client.embeddings.create({
  model: '${embeddingModel}',
  input: 'Hello world',
});
console.log(\`Dimensions: \${response.data[0].embedding.length}\`);`;
}

/** The seed's curl model list, and a chat completion with curl. */
export function curlExample({ baseUrl, chatModel }: ExampleValues): string {
  return `curl ${baseUrl}/models \\
  -H "Authorization: Bearer YOUR_API_KEY"

curl ${baseUrl}/chat/completions \\
  -H "Authorization: Bearer YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${chatModel}", "messages": [{"role": "user", "content": "Hello!"}]}'`;
}
