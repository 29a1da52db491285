// Test-only TLS material: self-signed certificates for 127.0.0.1 whose keys are public in this
// repository (test/fixtures/tls, made once with openssl). Never use them for a real service.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli.ts';

export type TestTls = { cert: string; key: string; fingerprint: string };

function load(name: string): TestTls {
  const read = (file: string) =>
    readFileSync(path.join(repoRoot, 'test/fixtures/tls', file), 'utf8');
  const cert = read(`${name}-cert.pem`);
  return {
    cert,
    key: read(`${name}-key.pem`),
    fingerprint: new X509Certificate(cert).fingerprint256,
  };
}

/** The service's certificate. */
export const serviceTls = load('service');
/** Another one: what an impostor, or the service after a certificate change, presents. */
export const otherTls = load('other');
