// `npm run gmail:authorize -- --client-secrets client_secret.json --out gmail-credentials.json`: the sending
// account's consent to gmail.send, written as the Gmail credentials secret (0600, never over an existing file).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { authorizeGmail } from './gmail-authorization.js';

const { values } = parseArgs({
  options: {
    'client-secrets': { type: 'string' },
    out: { type: 'string', default: 'gmail-credentials.json' },
  },
});
const secretsFile = values['client-secrets'];
if (!secretsFile) {
  process.stderr.write(
    'usage: npm run gmail:authorize -- --client-secrets <client_secret_….json> [--out FILE]\n',
  );
  process.exit(2);
}
try {
  const credentials = await authorizeGmail({
    clientSecrets: JSON.parse(await readFile(secretsFile, 'utf8')),
    openUrl: (url) => {
      process.stderr.write(
        `Open this page in a browser signed in as the sending account, and allow:\n\n${url}\n\n`,
      );
    },
  });
  await writeFile(String(values.out), `${JSON.stringify(credentials, null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  process.stderr.write(
    `Wrote ${values.out}: add it as the Gmail credentials secret (terraform/README.md, Deploy), then delete it.\n`,
  );
} catch (error) {
  process.stderr.write(`gmail:authorize: ${(error as Error).message}\n`);
  process.exit(1);
}
