// gatehouse clients create | list | show | update | delete | rotate-secret
import { Command, Option } from 'commander';
import { createClient, deleteClient, listClients, rotateClientSecret, showClient, updateClient, type ClientFields } from '../../admin/clients.js';
import { clientView } from '../../admin/views.js';
import { ACCESS_TOKEN_FORMATS, AUTH_METHODS, GRANT_TYPES, isPublicClient, type ClientInput } from '../../domain/clients.js';
import { TOKEN_EXCHANGE_GRANT, type ClientRecord } from '../../store/types.js';
import { formatDuration } from '../../util/duration.js';
import { confirm, requireConfirmable } from '../confirm.js';
import { withServices } from '../context.js';
import { collect, collectOneOf, duration, joinScopes, jsonFile } from '../options.js';
import { formatTime, print, printFields, printJson, printTable } from '../output.js';

/** What commander parses: the domain's client input, named after the flags (one --redirect-uri per value). */
type ClientOptions = Omit<ClientInput, 'redirectUris' | 'grantTypes' | 'scopes' | 'resourceServerFor' | 'tokenExchangeResources' | 'postLogoutRedirectUris' | 'backchannelLogoutUri' | 'frontchannelLogoutUri'> & {
  redirectUri?: string[];
  /** false: --no-post-logout-redirect-uri (update: clear the list). */
  postLogoutRedirectUri?: string[] | false;
  /** false: --no-backchannel-logout-uri (update: remove it). */
  backchannelLogoutUri?: string | false;
  /** false: --no-frontchannel-logout-uri (update: remove it). */
  frontchannelLogoutUri?: string | false;
  grantType?: string[];
  scope?: string;
  /** false: --no-resource-server-for (update: clear the list). */
  resourceServerFor?: string[] | false;
  /** false: --no-token-exchange-resource (update: clear the list). */
  tokenExchangeResource?: string[] | false;
  /** --jwks-file: the parsed file (validated by the domain). */
  jwksFile?: unknown;
  jwksUri?: string;
  /** --require-par / --no-require-par. */
  requirePar?: boolean;
  /** --require-dpop / --no-require-dpop. */
  requireDpop?: boolean;
  json?: boolean;
};

const SECRET_NOTICE = 'The client secret is shown only this once: store it now. Gatehouse keeps only its SHA-256 hash.';

/** The options create and update share; on update each replaces what was there (a list is replaced whole). */
function addClientOptions(command: Command, creating: boolean): Command {
  const verb = creating ? '' : 'new ';
  const withAudiences = command
    .option('--redirect-uri <uri>', `${verb}redirect URI, exact match (repeat for several)`, collect)
    .option('--grant-type <type>', `${verb}allowed grant type: ${GRANT_TYPES.join(', ')} (repeat for several; default authorization_code and refresh_token)`, collectOneOf(GRANT_TYPES))
    .option('--scope <scopes>', `${creating ? 'every' : 'new list of every'} scope the client may ask for, space-separated (e.g. "openid read:leads")`, joinScopes)
    .option('--public', creating ? 'a public client (no secret; PKCE required), e.g. a native or browser app' : 'make the client public (drops its secret)')
    .addOption(
      new Option('--token-endpoint-auth-method <method>', 'how a confidential client authenticates (default: either secret method)').choices(AUTH_METHODS),
    )
    .option('--access-token-ttl <duration>', 'access token lifetime, e.g. 15m, 1h (default 1h)', duration)
    .option('--refresh-token-ttl <duration>', 'refresh token lifetime, e.g. 30d (default 30d)', duration)
    .option('--refresh-token-grace <duration>', 'window in which a just-rotated refresh token may be presented again, e.g. 10s (default 0s: off)', duration)
    .addOption(new Option('--access-token-format <format>', 'access tokens as signed JWTs or opaque strings (default jwt)').choices(ACCESS_TOKEN_FORMATS))
    .option(
      '--resource-server-for <audience>',
      `${creating ? '' : 'new list: '}an audience (e.g. https://api.example.com) this client serves as a resource server: it may introspect access tokens issued for it (repeat for several)`,
      collect,
    );
  if (!creating) withAudiences.option('--no-resource-server-for', 'the client is no longer a resource server for any audience');
  withAudiences.option(
    '--token-exchange-resource <uri>',
    `${creating ? '' : 'new list: '}a registered resource this client may exchange a user's access token for (RFC 8693 token exchange; repeat for several)`,
    collect,
  );
  if (!creating) withAudiences.option('--no-token-exchange-resource', 'the client may no longer exchange tokens for any resource');
  withAudiences.option('--jwks-uri <url>', 'private_key_jwt: the https URL where the client publishes its public keys (instead of --jwks-file)');
  withAudiences.option('--jwks-file <path>', 'private_key_jwt: a JSON file with the client\'s public keys ({"keys": [...]}, each with a kid)', jsonFile);
  withAudiences.option('--skip-consent', 'first-party: users are never asked for consent (the built-in and the platform\'s consent page alike)');
  if (!creating) withAudiences.option('--no-skip-consent', 'users are asked for consent again');
  // OpenID logout: where the browser may go after signing out, and how the client is told of a sign-out.
  withAudiences
    .option('--post-logout-redirect-uri <uri>', `${verb}URI the client may send users to after signing out, exact match (repeat for several)`, collect)
    .option('--backchannel-logout-uri <uri>', 'where Gatehouse POSTs a logout token when a session of the client ends (https, or http on localhost)')
    .option('--backchannel-logout-session-required', 'the logout token must carry sid (it always does)')
    .option('--frontchannel-logout-uri <uri>', 'page loaded in an invisible iframe of the signed-out page (https, or http on localhost)')
    .option('--frontchannel-logout-session-required', 'add iss and sid to the front-channel logout URI');
  if (!creating) {
    withAudiences
      .option('--no-post-logout-redirect-uri', 'remove every post-logout redirect URI')
      .option('--no-backchannel-logout-uri', 'stop back-channel logout notifications')
      .option('--no-backchannel-logout-session-required', 'the logout token need not carry sid')
      .option('--no-frontchannel-logout-uri', 'stop front-channel logout')
      .option('--no-frontchannel-logout-session-required', 'no iss and sid on the front-channel logout URI');
  }
  // What the client shows of itself (RFC 7591 §2); on update "" removes one.
  withAudiences
    .option('--logo-uri <url>', `the client's logo (https, or http on localhost)${creating ? '' : '; "" removes it'}`)
    .option('--client-uri <url>', `the client's home page${creating ? '' : '; "" removes it'}`)
    .option('--policy-uri <url>', `the client's privacy policy${creating ? '' : '; "" removes it'}`)
    .option('--tos-uri <url>', `the client's terms of service${creating ? '' : '; "" removes it'}`);
  withAudiences.option('--require-par', 'authorization requests must be pushed to /oauth2/par first (RFC 9126)');
  if (!creating) withAudiences.option('--no-require-par', 'plain authorization requests are accepted again');
  withAudiences.option('--require-dpop', 'every token request must carry a DPoP proof, so every token is sender-constrained (RFC 9449)');
  if (!creating) withAudiences.option('--no-require-dpop', 'token requests without a DPoP proof are accepted again');
  return withAudiences.option('--json', 'print JSON');
}

/** Each option onto the field of the same meaning that the admin API takes. */
function toFields(options: ClientOptions): ClientFields {
  return {
    client_name: options.name,
    client_id: options.clientId,
    redirect_uris: options.redirectUri,
    grant_types: options.grantType,
    scope: options.scope,
    public: options.public,
    token_endpoint_auth_method: options.tokenEndpointAuthMethod,
    access_token_ttl: options.accessTokenTtl,
    refresh_token_ttl: options.refreshTokenTtl,
    refresh_token_grace: options.refreshTokenGrace,
    access_token_format: options.accessTokenFormat,
    resource_server_for: options.resourceServerFor === false ? [] : options.resourceServerFor,
    token_exchange_resources: options.tokenExchangeResource === false ? [] : options.tokenExchangeResource,
    skip_consent: options.skipConsent,
    jwks: options.jwksFile as ClientFields['jwks'],
    jwks_uri: options.jwksUri,
    post_logout_redirect_uris: options.postLogoutRedirectUri === false ? [] : options.postLogoutRedirectUri,
    backchannel_logout_uri: options.backchannelLogoutUri === false ? null : options.backchannelLogoutUri,
    backchannel_logout_session_required: options.backchannelLogoutSessionRequired,
    frontchannel_logout_uri: options.frontchannelLogoutUri === false ? null : options.frontchannelLogoutUri,
    frontchannel_logout_session_required: options.frontchannelLogoutSessionRequired,
    require_pushed_authorization_requests: options.requirePar,
    dpop_bound_access_tokens: options.requireDpop,
    logo_uri: options.logoUri,
    client_uri: options.clientUri,
    policy_uri: options.policyUri,
    tos_uri: options.tosUri,
  };
}

function authDescription(client: ClientRecord): string {
  if (isPublicClient(client)) return 'public (no secret; PKCE required)';
  if (client.tokenEndpointAuthMethod === 'private_key_jwt') {
    return client.jwksUri !== null
      ? `confidential (private_key_jwt, keys at ${client.jwksUri})`
      : `confidential (private_key_jwt, ${client.jwks?.keys.length ?? 0} key${client.jwks?.keys.length === 1 ? '' : 's'})`;
  }
  const method = client.tokenEndpointAuthMethod ?? 'client_secret_basic or client_secret_post';
  return `confidential (${method})`;
}

function printClient(client: ClientRecord, secret?: string): void {
  const fields: Array<[string, string | string[]]> = [
    ['Client ID', client.clientId],
    ['Name', client.name],
  ];
  if (secret) fields.push(['Client secret', secret]);
  fields.push(
    ['Type', authDescription(client)],
    ['Redirect URIs', client.redirectUris],
    ['Grant types', client.grantTypes.join(', ')],
    ['Scopes', client.scopes.length ? client.scopes.join(' ') : '(none)'],
    ['Access tokens', `${client.accessTokenFormat}, valid ${formatDuration(client.accessTokenTtl)}`],
    [
      'Refresh tokens',
      client.grantTypes.includes('refresh_token')
        ? `valid ${formatDuration(client.refreshTokenTtl)}, reuse grace ${client.refreshTokenGrace ? formatDuration(client.refreshTokenGrace) : 'off'}`
        : 'not issued (no refresh_token grant)',
    ],
    ['Resource server for', client.resourceServerFor.length ? client.resourceServerFor : '(none: introspects only its own tokens)'],
    ...(client.grantTypes.includes(TOKEN_EXCHANGE_GRANT) || client.tokenExchangeResources.length
      ? [['Token exchange for', client.tokenExchangeResources.length ? client.tokenExchangeResources : '(no resource: every exchange is refused)'] as [string, string | string[]]]
      : []),
    ['Consent', client.skipConsent ? 'never asked (first-party client)' : 'asked, then remembered'],
    ['Post-logout redirect URIs', client.postLogoutRedirectUris.length ? client.postLogoutRedirectUris : '(none)'],
    ['Back-channel logout', client.backchannelLogoutUri ? `${client.backchannelLogoutUri}${client.backchannelLogoutSessionRequired ? ' (sid required)' : ''}` : '(none)'],
    ['Front-channel logout', client.frontchannelLogoutUri ? `${client.frontchannelLogoutUri}${client.frontchannelLogoutSessionRequired ? ' (with iss and sid)' : ''}` : '(none)'],
    ['Pushed requests (PAR)', client.requirePushedAuthorizationRequests ? 'required' : 'accepted, not required'],
    ['DPoP', client.dpopBoundAccessTokens ? 'required on every token request' : 'accepted, not required'],
    ['Logo', client.logoUri ?? '(none)'],
    ['Home page', client.clientUri ?? '(none)'],
    ['Privacy policy', client.policyUri ?? '(none)'],
    ['Terms of service', client.tosUri ?? '(none)'],
    ['Registered', client.registration === null ? 'by an administrator' : `by itself (dynamic registration, ${client.registration.applicationType}; not verified)${client.registration.unusedUntil === null ? '' : `, deleted ${formatTime(client.registration.unusedUntil)} unless used`}`],
    ['Created', formatTime(client.createdAt)],
    ['Updated', formatTime(client.updatedAt)],
  );
  printFields(fields);
}

export function registerClients(program: Command): void {
  const clients = program.command('clients').description('register and manage OAuth clients (the apps that ask for access)');

  addClientOptions(
    clients
      .command('create')
      .description('register a client; a confidential client gets a secret, shown once')
      .requiredOption('--name <name>', 'name shown to users on the consent page')
      .option('--client-id <id>', 'a readable client id such as zapier-client (default: generated)'),
    true,
  ).action(async (options: ClientOptions) => {
    await withServices(async (services) => {
      const { client, clientSecret } = await createClient(services, toFields(options));
      if (options.json) return printJson(clientView(client, clientSecret));
      print(`Created client "${client.name}".`);
      print();
      printClient(client, clientSecret ?? undefined);
      if (clientSecret) {
        print();
        print(SECRET_NOTICE);
      }
    });
  });

  clients
    .command('list')
    .description('list registered clients')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(async (services) => {
        const all = await listClients(services);
        if (options.json) return printJson({ clients: all.map((client) => clientView(client)) });
        printTable(
          ['Client ID', 'Name', 'Type', 'Grant types', 'Scopes', 'Resource server for', 'Created'],
          all.map((c) => [
            c.clientId, c.name, isPublicClient(c) ? 'public' : 'confidential', c.grantTypes.join(','), c.scopes.join(' '),
            c.resourceServerFor.join(' '), formatTime(c.createdAt),
          ]),
          'No clients registered. Add one with: gatehouse clients create --name NAME --redirect-uri URI',
        );
      });
    });

  clients
    .command('show')
    .description('show one client (its secret is never shown again)')
    .argument('<client-id>', 'the client id')
    .option('--json', 'print JSON')
    .action(async (clientId: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        const client = await showClient(services, clientId);
        if (options.json) return printJson(clientView(client));
        printClient(client);
      });
    });

  addClientOptions(
    clients
      .command('update')
      .description('change a client; options not given keep their value')
      .argument('<client-id>', 'the client id')
      .option('--name <name>', 'new name shown on the consent page'),
    false,
  ).action(async (clientId: string, options: ClientOptions, command: Command) => {
    const fields = toFields(options);
    if (Object.values(fields).every((value) => value === undefined)) command.error('error: nothing to update: give at least one option (see --help)', { exitCode: 2 });
    await withServices(async (services) => {
      const client = await updateClient(services, clientId, fields);
      if (options.json) return printJson(clientView(client));
      print(`Updated client "${client.clientId}".`);
      print();
      printClient(client);
    });
  });

  clients
    .command('delete')
    .description('delete a client and every grant and token issued to it (asks first, unless --yes)')
    .argument('<client-id>', 'the client id')
    .option('-y, --yes', 'do not ask for confirmation (needed when not run at a terminal)')
    .option('--json', 'print JSON')
    .action(async (clientId: string, options: { yes?: boolean; json?: boolean }) => {
      requireConfirmable(options.yes, `deleting client "${clientId}"`);
      await withServices(async (services) => {
        // Looked up first, so that no one is asked about a client that does not exist.
        const client = await showClient(services, clientId);
        await confirm(options.yes, `Delete client "${client.clientId}" (${client.name}) and every grant and token issued to it?`, `not confirmed: client "${clientId}" was not deleted`);
        await deleteClient(services, clientId);
        if (options.json) return printJson({ client_id: clientId, deleted: true });
        print(`Deleted client "${clientId}" and every grant and token issued to it.`);
      });
    });

  clients
    .command('rotate-secret')
    .description('give a confidential client a new secret; the old one stops working at once')
    .argument('<client-id>', 'the client id')
    .option('--json', 'print JSON')
    .action(async (clientId: string, options: { json?: boolean }) => {
      await withServices(async (services) => {
        const { client, clientSecret } = await rotateClientSecret(services, clientId);
        if (options.json) return printJson(clientView(client, clientSecret));
        print(`New secret for client "${client.clientId}"; the old secret no longer works.`);
        print();
        printFields([
          ['Client ID', client.clientId],
          ['Client secret', clientSecret],
        ]);
        print();
        print(SECRET_NOTICE);
      });
    });
}
