// A self-signed certificate for 127.0.0.1 (its own CA) made with openssl, for tests of TLS servers on loopback.
import { join } from 'node:path';
import { runTool } from './stand-in-tools.js';

export interface Certificate {
  certFile: string;
  keyFile: string;
}

/** Writes `<name>.pem` and `<name>.key` (P-256, valid one day) into `dir`. */
export async function selfSignedCertificate(dir: string, name: string): Promise<Certificate> {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  await runTool('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, keyFile };
}
