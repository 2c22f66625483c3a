// The mongodb engine end to end with a stand-in mongodump, a shell script that shows what the real tool is given
// and hides: the exact argv, the password arriving through the --config descriptor (its digest), and the archive
// on stdout going through compression into the object. test/integration/mongodb/ runs the real tools.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { awkwardPassword } from '../../helpers/mariadb.js';
import { archiveEofBlock, printfBytes } from '../../helpers/mongo-archive.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';
import { describeEachBackend } from '../../helpers/storage-backends.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

// Prints its argv, a digest of the config it was handed (never the password itself), then documents, and closes
// them as an archive does; like mongodump it reports progress on stderr.
const FAKE_MONGODUMP = `
config=""
for arg in "$@"; do case "$arg" in --config=*) config="\${arg#--config=}";; esac; done
[ -n "$config" ] || { echo "Failed: no --config given" >&2; exit 3; }
printf 'archive-of:'; printf ' %s' "$@"; printf '\\n'
printf 'config-sha256: %s\\n' "$(sha256sum < "$config" | cut -d' ' -f1)"
seq 1 50000 | sed 's/^/{"_id": /; s/$/}/'
${printfBytes(archiveEofBlock('HospitalDB', 'patients'))}
echo "done dumping HospitalDB.patients (50000 documents)" >&2
`;

describeEachBackend((backend) => {
  let standIns: StandIns;
  let storage: TestStorage;

  beforeAll(async () => {
    [standIns, storage] = await Promise.all([createStandIns(), startStorage(backend)]);
  });

  afterAll(async () => {
    await Promise.all([standIns?.remove(), storage?.close()]);
  });

  describe('mongodb engine (stand-in mongodump)', () => {
    it('streams the archive from stdout into the object, with the password only in the config descriptor', async () => {
      const password = awkwardPassword();
      const target: TargetInput = {
        id: 'mongo',
        engine: 'mongodb',
        database: 'HospitalDB',
        host: '127.0.0.1',
        port: 27017,
        user: 'backup',
        authDatabase: 'admin',
        toolPath: await standIns.script('mongodump', FAKE_MONGODUMP),
      };
      const request = await storage.request('HospitalDB_20240101.archive.gz');
      const outcome = await backup({ request, target, password });
      expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0 } });
      expect(outcome.stderrTail).toEqual(['mongodump: done dumping HospitalDB.patients (50000 documents)']);
      const archive = gunzipText(await storage.download(request.objectName));
      const [argv, config, first] = archive.split('\n');
      expect(argv).toBe(
        'archive-of: --host=127.0.0.1 --port=27017 --username=backup --authenticationDatabase=admin --config=/dev/fd/3 --db=HospitalDB --archive',
      );
      const expectedConfig = `password: ${JSON.stringify(password)}\n`;
      expect(config).toBe(`config-sha256: ${createHash('sha256').update(expectedConfig).digest('hex')}`);
      expect(first).toBe('{"_id": 1}');
      expect(archive.split('\n')).toHaveLength(50000 + 3);
      expect(archive).not.toContain(password);
    });
  });
});
