// Rendering an error as an RFC 6750 answer: status, WWW-Authenticate (always naming the RFC 9728 metadata), body.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InsufficientScopeError,
  InvalidRequestError,
  IssuerUnreachableError,
  renderAuthError,
  TokenExpiredError,
  TokenMissingError,
  TokenWrongAudienceError,
} from '../../src/resource/index.js';

const context = { realm: 'leads', resourceMetadataUrl: 'https://api.example.com/.well-known/oauth-protected-resource/leads' };
const metadataParam = 'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/leads"';

describe('renderAuthError', () => {
  it('no token: 401 with only realm and resource_metadata, no error code (RFC 6750 §3.1)', () => {
    const rendered = renderAuthError(new TokenMissingError('no Authorization header'), context);
    assert.equal(rendered.status, 401);
    assert.equal(rendered.headers['www-authenticate'], `Bearer realm="leads", ${metadataParam}`);
    assert.ok(!('error' in JSON.parse(rendered.body)));
  });

  it('an invalid token: 401 invalid_token with a generic description that never says why', () => {
    for (const error of [new TokenExpiredError('the token expired at 2020-01-01'), new TokenWrongAudienceError('aud is billing')]) {
      const rendered = renderAuthError(error, context);
      assert.equal(rendered.status, 401);
      assert.equal(
        rendered.headers['www-authenticate'],
        `Bearer realm="leads", error="invalid_token", error_description="The access token is not valid.", ${metadataParam}`,
      );
      assert.deepEqual(JSON.parse(rendered.body), { error: 'invalid_token', error_description: 'The access token is not valid.' });
      assert.ok(!rendered.body.includes('2020') && !rendered.body.includes('billing'));
    }
  });

  it('a missing scope: 403 insufficient_scope naming the scopes needed', () => {
    const rendered = renderAuthError(new InsufficientScopeError('lacks write:leads', ['read:leads', 'write:leads']), context);
    assert.equal(rendered.status, 403);
    assert.match(rendered.headers['www-authenticate']!, /^Bearer realm="leads", error="insufficient_scope", error_description="[^"]+", scope="read:leads write:leads", resource_metadata="[^"]+"$/);
    assert.equal(JSON.parse(rendered.body).scope, 'read:leads write:leads');
  });

  it('a malformed request: 400 invalid_request', () => {
    const rendered = renderAuthError(new InvalidRequestError('two tokens'), context);
    assert.equal(rendered.status, 400);
    assert.match(rendered.headers['www-authenticate']!, /error="invalid_request"/);
    assert.match(rendered.headers['www-authenticate']!, /resource_metadata=/);
  });

  it('an unreachable issuer: 503 with Retry-After, not a 401 that would make the client drop its token', () => {
    const rendered = renderAuthError(new IssuerUnreachableError('timeout'), context);
    assert.equal(rendered.status, 503);
    assert.equal(rendered.headers['retry-after'], '5');
    assert.equal(rendered.headers['www-authenticate'], undefined);
  });

  it('escapes quotes and backslashes in the realm', () => {
    const rendered = renderAuthError(new TokenMissingError('x'), { ...context, realm: 'a "b" \\c' });
    assert.match(rendered.headers['www-authenticate']!, /^Bearer realm="a \\"b\\" \\\\c", /);
  });

  it('every error has a stable code', () => {
    assert.equal(new TokenMissingError('').code, 'ERR_TOKEN_MISSING');
    assert.equal(new InvalidRequestError('').code, 'ERR_INVALID_REQUEST');
    assert.equal(new TokenExpiredError('').code, 'ERR_TOKEN_EXPIRED');
    assert.equal(new InsufficientScopeError('', []).code, 'ERR_INSUFFICIENT_SCOPE');
    assert.equal(new IssuerUnreachableError('').code, 'ERR_ISSUER_UNREACHABLE');
    assert.equal(new TokenExpiredError('').name, 'TokenExpiredError');
  });
});
