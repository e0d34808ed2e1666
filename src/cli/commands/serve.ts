import { startGateway, type RunningGateway } from '../../main.js';
import { environmentSettings } from '../../config/load.js';
import type { Command, CommandContext } from '../command.js';

function printWelcome(context: CommandContext, gateway: RunningGateway): void {
  const lines = [
    `Switchyard is listening on ${gateway.url}`,
    `OpenAI-compatible base URL: ${gateway.url}/api/v1`,
  ];
  if (gateway.servesDashboard) lines.push(`Dashboard: ${gateway.url}/`);
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
      "Requests are paid from the account's prepaid wallet, which starts empty. Give it credit:",
      `  npx switchyard wallet topup --user ${gateway.admin.username} --amount 10`,
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

/** A sentence for the usual reasons a server cannot listen; undefined for anything else. */
function listenProblem(error: unknown, server: { host: string; port: number }): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${server.host}:${server.port}`;
  if (code === 'EADDRINUSE')
    return `${where} is already in use (another Switchyard?). Stop that program or choose another port with SWITCHYARD_PORT.`;
  if (code === 'EACCES')
    return `no permission to listen on ${where}; ports below 1024 need privileges. Choose another port with SWITCHYARD_PORT.`;
  if (code === 'EADDRNOTAVAIL')
    return `${server.host} is not an address of this machine; check SWITCHYARD_HOST.`;
  return undefined;
}

export const serve: Command = {
  group: 'serve',
  name: '',
  summary: 'Start the gateway (SQLite in ./data unless DATABASE_URL says otherwise)',
  usage: '',
  options: {},
  optionHelp: {},
  details: [
    'Settings come from switchyard.yaml in this directory (or the file SWITCHYARD_CONFIG names)',
    'and from these environment variables, which win over the file:',
    ...environmentSettings.map(
      (setting) => `  ${setting.variables.join(' or ').padEnd(34)} ${setting.path.join('.')}`,
    ),
    '',
    'OPENAI_API_KEY, DEEPSEEK_API_KEY and the like add that provider and its models at start.',
    'Stop it with Ctrl-C or SIGTERM: open requests finish first.',
  ],
  async run(context) {
    let gateway: RunningGateway;
    try {
      gateway = await startGateway(context.config());
    } catch (error) {
      const problem = listenProblem(error, context.config().config.server);
      if (problem === undefined) throw error;
      context.stderr.write(`switchyard serve: ${problem}\n`);
      return 1;
    }
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
