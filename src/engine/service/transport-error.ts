/**
 * A call that got no answer from the evidence service, named the same way by every client
 * (REST, the push link, tus uploads): a certificate the pin refuses, a certificate nobody vouches
 * for, or no connection at all.
 */
import { CustodyError, ExitCode } from '../../core/errors.ts';
import { certificateMismatchIn } from './tls-pin.ts';

/** OpenSSL's answers for a certificate no trusted authority vouches for. */
const untrustedCertificate = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

function errorCode(err: unknown): string {
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? err.message;
  return String(err);
}

/** The TLS refusal behind a failed call (pin mismatch or untrusted certificate), if it was one. */
export function tlsRefusalIn(serviceUrl: string, err: unknown): CustodyError | undefined {
  const mismatch = certificateMismatchIn(err);
  if (mismatch) return mismatch;
  const code = errorCode(err);
  if (!untrustedCertificate.has(code)) return undefined;
  return new CustodyError(
    `the evidence service at ${serviceUrl} presented a TLS certificate this machine does not trust (${code})`,
    "if it is the site's own (self-signed) certificate, pin it: `custody server associate --cert FILE` writes its fingerprint into the integration file, and `custody request` takes --ca-fingerprint",
    ExitCode.unreachable,
    { cause: err },
  );
}

/** Why a call to the service at `serviceUrl` got no answer, with what to do about it. */
export function unreachableService(serviceUrl: string, err: unknown): CustodyError {
  return (
    tlsRefusalIn(serviceUrl, err) ??
    new CustodyError(
      `cannot reach the evidence service at ${serviceUrl} (${errorCode(err)})`,
      'check the URL and that the service is running, then try again',
      ExitCode.unreachable,
      { cause: err },
    )
  );
}
