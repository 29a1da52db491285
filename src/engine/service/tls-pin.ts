/**
 * Certificate pinning for every client of the evidence service (REST, push, tus uploads): with
 * the integration file's `caFingerprint`, a connection counts only when the service's own (leaf)
 * certificate has exactly that SHA-256 fingerprint, whoever signed it, self-signed included.
 * The pin is the service's identity, so it stands in for the CA and host-name checks: a site's
 * self-signed certificate often names an address or another host.
 */
import { Agent, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import { CustodyError, ExitCode } from '../../core/errors.ts';

// A service that accepts the connection but never finishes the handshake must not hang a call.
const HANDSHAKE_TIMEOUT_MS = 10_000;

const reassociate =
  'if the service has a new certificate, run `custody server associate --cert FILE` on the service with its current certificate and import the new integration file; otherwise something else answers at that address';

export class CertificateMismatchError extends CustodyError {
  constructor(serviceUrl: string, expected: string, presented: string) {
    super(
      `the evidence service at ${serviceUrl} presented a certificate with SHA-256 fingerprint ${presented}, not the pinned ${expected}; nothing was sent to it`,
      reassociate,
      ExitCode.unreachable,
    );
    this.name = 'CertificateMismatchError';
  }
}

/**
 * Connects only to the pinned certificate. Each new connection shakes hands, compares the
 * fingerprint, and only then hands the socket to HTTP or ws: until that callback nobody can
 * write to it, so a server that fails the check never sees a byte of a request (the API key in
 * the Authorization header above all). Every connection does a full handshake (no session
 * resumption), so a certificate replaced on the server is caught on the next connection.
 */
class PinnedAgent extends Agent {
  readonly #serviceUrl: string;
  readonly #fingerprint: string;

  constructor(serviceUrl: string, fingerprint: string) {
    super({ keepAlive: true });
    this.#serviceUrl = serviceUrl;
    this.#fingerprint = fingerprint;
  }

  override createConnection(
    options: RequestOptions,
    done: (err: Error | null, socket: Duplex) => void,
  ): undefined {
    const socket = connect({
      host: options.host ?? 'localhost',
      port: Number(options.port),
      // The agent already left out an address (SNI takes names only).
      servername: options.servername || undefined,
      // CA and name checks give way to the pin, checked below before the socket is handed on.
      rejectUnauthorized: false,
    });
    const fail = (err: Error) => {
      socket.destroy();
      done(err, socket);
    };
    socket.once('error', fail);
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () =>
      fail(
        new Error(`no TLS handshake from ${this.#serviceUrl} within ${HANDSHAKE_TIMEOUT_MS} ms`),
      ),
    );
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      const presented = socket.getPeerCertificate().fingerprint256;
      if (presented !== this.#fingerprint) {
        fail(new CertificateMismatchError(this.#serviceUrl, this.#fingerprint, presented));
        return;
      }
      done(null, socket);
    });
    return undefined;
  }
}

/**
 * The https agent for a service's clients (got's `agent.https`, ws's `agent`): undefined
 * without a pin, which leaves the usual CA verification in force.
 */
export function pinnedAgent(
  serviceUrl: string,
  fingerprint: string | undefined,
): Agent | undefined {
  if (fingerprint === undefined) return undefined;
  // The integration file's schema refuses a pin on plain HTTP, where it would protect nothing.
  if (new URL(serviceUrl).protocol !== 'https:') {
    throw new Error(`a pinned certificate needs an https URL, not ${serviceUrl}`);
  }
  return new PinnedAgent(serviceUrl, fingerprint);
}

/** The pin refusal inside a client library's error (got wraps it as the cause), if that was it. */
export function certificateMismatchIn(err: unknown): CertificateMismatchError | undefined {
  if (err instanceof CertificateMismatchError) return err;
  if (err instanceof Error && err.cause instanceof CertificateMismatchError) return err.cause;
  return undefined;
}
