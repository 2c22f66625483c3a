// RFC 9421 §2.4: a response signed with the request's own signature among its covered components
// ("signature";req;key="sig1"), by the RFC's ECDSA P-256 test key (B.1.3). ECDSA is not deterministic, so the
// RFC's signature is verified rather than reproduced; the base is built by the same code as the agent's answers.
import { verify } from 'node:crypto';
import { parseDictionary } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { type HttpRequest, type HttpResponse, signatureBase } from '../../../../core/signing/index.js';
import { RFC_TEST_REQUEST } from './rfc9421-messages.js';

const TEST_KEY_ECC_P256_PUBLIC = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
-----END PUBLIC KEY-----`;

// The request's signature, as its Signature field carries it (the value §2.4's signature base shows).
const SIG1 =
  'LAH8BjcfcOcLojiuOBFWn0P5keD3xAOuJRGziCLuD8r5MW9S0RoXXLzLSRfGY/3SF8kVIkHjE13SEFdTo4Af/fJ/Pu9wheqoLVdwXyY/' +
  'UkBIS1M8Brc8IODsn5DFIrG0IrburbLi0uCc+E2ZIIb6HbUJ+o+jP58JelMTe0QE3IpWINTEzpxjqDf5/Df+InHCAkQCTuKsamjWXUpy' +
  'OT1Wkxi7YPVNOjW4MfNuTZ9HdbD2Tr65+BXeTG9ZS/9SWuXAc+BZ8WyPz0QRz//ec3uWXd7bYYODSjRAxHqX+S1ag3LZElYyUKaAIjZ8' +
  'MGOt4gXEwCSLDv/zqxZeWLj/PDkn6w==';

// B.2's request as §2.4 shows it signed: its signature fields in place of its content-digest.
const { 'content-digest': _, ...unsignedHeaders } = RFC_TEST_REQUEST.headers;
const request: HttpRequest = {
  ...RFC_TEST_REQUEST,
  headers: {
    ...unsignedHeaders,
    'signature-input':
      'sig1=("@method" "@authority" "@path" "content-digest" "content-length" "content-type")' +
      ';created=1618884475;keyid="test-key-rsa-pss"',
    signature: `sig1=:${SIG1}:`,
  },
};

const response: HttpResponse = {
  status: 503,
  headers: {
    date: 'Tue, 20 Apr 2021 02:07:56 GMT',
    'content-type': 'application/json',
    'content-length': '62',
  },
  body: '{"busy": true, "message": "Your call is very important to us"}',
};

const SIGNATURE_INPUT =
  'reqres=("@status" "content-length" "content-type" "signature";req;key="sig1" "@authority";req "@method";req)' +
  ';created=1618884479;keyid="test-key-ecc-p256"';
const SIGNATURE = 'mh17P4TbYYBmBwsXPT4nsyVzW4Rp9Fb8WcvnfqKCQLoMvzOBLD/n32tL/GPW6XE5GAS5bdsg1khK6lBzV1Cx/Q==';

// As the RFC prints it.
const RFC_SIGNATURE_BASE = [
  '"@status": 503',
  '"content-length": 62',
  '"content-type": application/json',
  `"signature";req;key="sig1": :${SIG1}:`,
  '"@authority";req: example.com',
  '"@method";req: POST',
  '"@signature-params": ("@status" "content-length" "content-type" "signature";req;key="sig1" ' +
    '"@authority";req "@method";req);created=1618884479;keyid="test-key-ecc-p256"',
].join('\n');

const input = parseDictionary(SIGNATURE_INPUT).get('reqres') as Parameters<typeof signatureBase>[1];
const verifies = (base: string) =>
  verify(
    'sha256',
    Buffer.from(base),
    { key: TEST_KEY_ECC_P256_PUBLIC, dsaEncoding: 'ieee-p1363' },
    Buffer.from(SIGNATURE, 'base64'),
  );

describe('RFC 9421 §2.4, a response bound to its request', () => {
  it('builds the signature base the RFC prints, the request signature taken from the request', () => {
    expect(signatureBase(request, input, response)).toBe(RFC_SIGNATURE_BASE);
  });

  it("verifies the RFC's signature with the RFC's public key", () => {
    expect(verifies(signatureBase(request, input, response))).toBe(true);
  });

  it('no longer verifies as the answer to another request', () => {
    const other = {
      ...request,
      headers: { ...request.headers, signature: `sig1=:${Buffer.alloc(8).toString('base64')}:` },
    };
    expect(verifies(signatureBase(other, input, response))).toBe(false);
    expect(verifies(signatureBase({ ...request, method: 'PUT' }, input, response))).toBe(false);
  });
});
