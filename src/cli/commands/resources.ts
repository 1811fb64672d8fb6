// gatehouse resources create | list | delete
import type { Command } from 'commander';
import { createResource, deleteResource, listResources } from '../../admin/resources.js';
import { resourceView } from '../../admin/views.js';
import { withServices } from '../context.js';
import { formatTime, print, printJson, printTable } from '../output.js';

export function registerResources(program: Command): void {
  const resources = program
    .command('resources')
    .description('manage the resources (APIs) clients may name with `resource` (RFC 8707), which become their tokens\' audience');

  resources
    .command('create')
    .description('register a resource')
    .requiredOption('--uri <uri>', 'the resource indicator: an absolute URI without fragment or query, e.g. https://api.example.com')
    .option('--name <name>', 'shown to users on the consent page ("… on Leads API"); default: the URI')
    .option('--scope <scopes>', 'space-separated scopes the resource accepts (default: any)')
    .option('--json', 'print JSON')
    .action(async (options: { uri: string; name?: string; scope?: string; json?: boolean }) => {
      await withServices(async (services) => {
        const resource = await createResource(services, { uri: options.uri, name: options.name, scope: options.scope });
        if (options.json) return printJson(resourceView(resource));
        print(`Registered resource ${resource.uri}${resource.name ? ` ("${resource.name}")` : ''}, accepting ${resource.scopes.length ? `scopes: ${resource.scopes.join(' ')}` : 'any scope'}.`);
      });
    });

  resources
    .command('list')
    .description('list registered resources')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(async (services) => {
        const all = await listResources(services);
        if (options.json) return printJson({ resources: all.map(resourceView) });
        printTable(
          ['URI', 'Name', 'Scopes', 'Created'],
          all.map((r) => [r.uri, r.name ?? '-', r.scopes.join(' ') || '(any)', formatTime(r.createdAt)]),
          'No resources. Register one with: gatehouse resources create --uri URI [--name NAME] [--scope "a b"]',
        );
      });
    });

  resources
    .command('delete')
    .description('unregister a resource; tokens already issued for it keep their audience until they expire')
    .argument('<uri>', 'the resource URI')
    .option('--json', 'print JSON')
    .action(async (uri: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        await deleteResource(services, uri);
        if (options.json) return printJson({ uri, deleted: true });
        print(`Deleted resource ${uri}; new requests naming it get invalid_target.`);
      });
    });
}
