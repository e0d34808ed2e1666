import { z } from 'zod';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { ManageRouter } from '../router.js';

const settingLine = z.object({
  key: z.string().describe('The dotted YAML path, e.g. limits.defaults.rpm'),
  value: z
    .union([z.string(), z.number(), z.boolean()])
    .nullable()
    .describe('Secrets show as "[set]"; a password in a URL as ****; null when unset'),
  source: z.enum(['default', 'file', 'environment']),
  environmentVariable: z.string().nullable().describe('The variable that sets it, if any'),
});

const settingsView = z.object({
  version: z.string().describe('The gateway’s version'),
  configFile: z.string().nullable().describe('The YAML file read at start'),
  database: z.object({ kind: z.enum(['sqlite', 'postgres']) }),
  redis: z.object({ configured: z.boolean() }),
  sections: z.array(z.object({ name: z.string(), settings: z.array(settingLine) })),
});

/** The effective configuration, read-only: settings change in the file or environment. */
export function settingsRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  router.route({
    method: 'GET',
    path: '/settings',
    operationId: 'getSettings',
    tag: 'settings',
    summary: 'Show the effective settings',
    description:
      'Every setting with its value and where it came from (default, the YAML file or an environment variable); secrets are withheld. Settings change in switchyard.yaml or the environment and take effect on restart.',
    access: 'admin',
    response: settingsView,
    handler: async () => dependencies.settings,
  });
}
