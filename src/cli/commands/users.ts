// gatehouse users create | list | delete | set-password
import { Command, Option } from 'commander';
import { createUser, deleteUser, listUsers, setPassword, type NewUser } from '../../admin/users.js';
import { userView } from '../../admin/views.js';
import { withServices } from '../context.js';
import { formatTime, print, printJson, printTable } from '../output.js';
import { readSecret } from '../stdin.js';

interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

function passwordOptions(command: Command): Command {
  return command
    .addOption(new Option('--password <password>', 'the password (visible to other local users and in shell history; prefer --password-stdin)').conflicts('passwordStdin'))
    .option('--password-stdin', 'read the password from standard input (one trailing newline is dropped)');
}

/** Exactly one of --password and --password-stdin; neither is a usage error (exit 2). */
async function password(options: PasswordOptions, command: Command): Promise<string> {
  if (options.password !== undefined) return options.password;
  if (options.passwordStdin) return readSecret('Password: ');
  return command.error('error: give the password with --password-stdin (or --password PASSWORD)', { exitCode: 2 });
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage the people who sign in to Gatehouse');

  passwordOptions(
    users
      .command('create')
      .description('create a user (the password is stored with argon2id)')
      .requiredOption('--username <name>', 'the name they sign in with')
      .option('--name <name>', 'display name (the "name" claim)')
      .option('--email <email>', 'email address (the "email" claim)')
      .option('--json', 'print JSON'),
  ).action(async (options: PasswordOptions & { username: string; name?: string; email?: string; json?: boolean }, command: Command) => {
    const secret = await password(options, command);
    await withServices(async (services) => {
      const input: NewUser = { username: options.username, password: secret };
      if (options.name !== undefined) input.name = options.name;
      if (options.email !== undefined) input.email = options.email;
      const user = await createUser(services, input);
      if (options.json) return printJson(userView(user));
      print(`Created user "${user.username}" (id ${user.id}).`);
    });
  });

  users
    .command('list')
    .description('list users')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(async (services) => {
        const all = await listUsers(services);
        if (options.json) return printJson({ users: all.map(userView) });
        printTable(
          ['Username', 'Name', 'Email', 'ID', 'Created'],
          all.map((u) => [u.username, u.name ?? '-', u.email ?? '-', u.id, formatTime(u.createdAt)]),
          'No users. Add one with: gatehouse users create --username NAME --password-stdin',
        );
      });
    });

  users
    .command('delete')
    .description('delete a user: their sessions and consents go, their grants are revoked')
    .argument('<username>', 'the username')
    .option('--json', 'print JSON')
    .action(async (username: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        await deleteUser(services, username);
        if (options.json) return printJson({ username, deleted: true });
        print(`Deleted user "${username}"; their sessions and consents are gone and every app's access is revoked.`);
      });
    });

  passwordOptions(
    users
      .command('set-password')
      .description("replace a user's password")
      .argument('<username>', 'the username')
      .option('--json', 'print JSON'),
  ).action(async (username: string, options: PasswordOptions & { json?: boolean }, command: Command) => {
    const secret = await password(options, command);
    await withServices(async (services) => {
      await setPassword(services, username, secret);
      if (options.json) return printJson({ username, password_changed: true });
      print(`Changed the password of "${username}"; they are signed out everywhere.`);
    });
  });
}
