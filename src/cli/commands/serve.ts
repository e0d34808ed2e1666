import { startGateway, type RunningGateway } from '../../main.js';
import type { Command, CommandContext } from '../command.js';

function printWelcome(context: CommandContext, gateway: RunningGateway): void {
  const lines = [
    `Switchyard is listening on ${gateway.url}`,
    `OpenAI-compatible base URL: ${gateway.url}/api/v1`,
  ];
  if (gateway.admin) {
    lines.push(
      '',
      `First start: created the admin account '${gateway.admin.username}'.`,
      gateway.admin.passwordFile
        ? `Its password is in ${gateway.admin.passwordFile} (readable only by you; delete it once noted).`
        : 'Its password is the one set in SWITCHYARD_ADMIN_PASSWORD.',
      '',
      'Create an API key (in another terminal, in this directory):',
      `  npx switchyard keys create --user ${gateway.admin.username} --name my-first-key`,
      'Then list the models it can use:',
      `  curl ${gateway.url}/api/v1/models -H "Authorization: Bearer <the key>"`,
    );
  }
  if (gateway.catalog.models().length === 0) {
    lines.push(
      '',
      'No models are configured yet. Restart with OPENAI_API_KEY or DEEPSEEK_API_KEY set, or add any',
      'OpenAI-compatible server: npx switchyard providers add --help',
    );
  }
  context.stdout.write(`${lines.join('\n')}\n`);
}

export const serve: Command = {
  group: 'serve',
  name: '',
  summary: 'Start the gateway (SQLite in ./data unless DATABASE_URL says otherwise)',
  usage: '',
  options: {},
  optionHelp: {},
  async run(context) {
    const gateway = await startGateway(context.config());
    printWelcome(context, gateway);
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        context.stderr.write(`Received ${signal}; finishing open requests and stopping.\n`);
        gateway.close().then(resolve, resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  },
};

export const migrate: Command = {
  group: 'migrate',
  name: '',
  summary: 'Apply database migrations and exit (serve also does this at start)',
  usage: '',
  options: {},
  optionHelp: {},
  async run(context) {
    await context.store();
    context.stdout.write('The database schema is up to date.\n');
    return 0;
  },
};
