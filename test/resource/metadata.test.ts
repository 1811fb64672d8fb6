// RFC 9728 protected resource metadata: the document and where it lives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  protectedResourceMetadata,
  protectedResourceMetadataPaths,
  protectedResourceMetadataUrl,
} from '../../src/resource/index.js';

describe('protected resource metadata', () => {
  it('names the resource, its issuer, its scopes and the header method', () => {
    assert.deepEqual(
      protectedResourceMetadata({
        resource: 'https://api.example.com',
        issuer: 'https://id.example.com',
        scopesSupported: ['read:leads', 'write:leads'],
        resourceDocumentation: 'https://docs.example.com/api',
      }),
      {
        resource: 'https://api.example.com',
        authorization_servers: ['https://id.example.com'],
        bearer_methods_supported: ['header'],
        scopes_supported: ['read:leads', 'write:leads'],
        resource_documentation: 'https://docs.example.com/api',
      },
    );
  });

  it('leaves optional members out when not configured', () => {
    const metadata = protectedResourceMetadata({ resource: 'https://api.example.com', issuer: 'https://id.example.com' });
    assert.deepEqual(Object.keys(metadata).sort(), ['authorization_servers', 'bearer_methods_supported', 'resource']);
  });

  it('lives at the bare well-known path, and at the path-suffixed one when the resource has a path (RFC 9728 §3.1)', () => {
    assert.deepEqual(protectedResourceMetadataPaths('https://api.example.com'), ['/.well-known/oauth-protected-resource']);
    assert.deepEqual(protectedResourceMetadataPaths('https://api.example.com/'), ['/.well-known/oauth-protected-resource']);
    assert.deepEqual(protectedResourceMetadataPaths('https://api.example.com/v1/mcp'), [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/v1/mcp',
    ]);
    assert.equal(protectedResourceMetadataUrl('https://api.example.com/v1/mcp/'), 'https://api.example.com/.well-known/oauth-protected-resource/v1/mcp');
    assert.equal(protectedResourceMetadataUrl('http://localhost:4000'), 'http://localhost:4000/.well-known/oauth-protected-resource');
  });

  it('refuses a resource identifier with a fragment or that is not a URL', () => {
    assert.throws(() => protectedResourceMetadata({ resource: 'https://api.example.com/#x', issuer: 'https://id.example.com' }), TypeError);
    assert.throws(() => protectedResourceMetadata({ resource: 'leads-api', issuer: 'https://id.example.com' }), TypeError);
  });
});
