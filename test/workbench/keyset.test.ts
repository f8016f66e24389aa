// The workbench's first-keyset route (POST /api/keyset) over real HTTP: a
// fresh case folder pins the organisation whose fingerprint the reviewer
// typed, then takes only keysets that organisation signed. Every refusal is a
// 4xx with words a person can act on, and leaves the folder as it was.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  organisationCreate,
  organisationSignKeyset,
} from '../../reviewer/commands/organisation.ts';
import { type Answer, type Bench, call, startBench } from './fixtures.ts';

const postKeyset = (b: Bench, body: string | Uint8Array, organisation?: string, secret?: string) =>
  call(b.workbench, `/api/keyset${organisation === undefined ? '' : `?organisation=${encodeURIComponent(organisation)}`}`, { method: 'POST', body, ...(secret === undefined ? {} : { secret }) }); // prettier-ignore

const hasKeyset = async (b: Bench) =>
  (await call(b.workbench, '/api/session')).json().hasKeyset as boolean;

/** A keyset for the same reviewer, signed by a root that is not the organisation's. */
async function foreignKeyset(b: Bench): Promise<{ file: string; fingerprint: string }> {
  const p = (name: string) => join(b.setup.dir, name);
  const other = await organisationCreate({ out: p('other-org.key') }, b.setup.io);
  await organisationSignKeyset(
    {
      key: p('other-org.key'),
      reviewers: [p('ana.card.json')],
      couriers: [p('courier.card.json')],
      version: 7,
      expires: '2099-12-31',
      out: p('other-keyset.json'),
    },
    b.setup.io,
  );
  return { file: p('other-keyset.json'), fingerprint: other.fingerprint };
}

function refused(t: Test, answer: Answer, status: number, code: string, words: RegExp): void {
  t.equal(answer.status, status, answer.body.toString());
  t.equal(answer.json().error?.code, code);
  t.match(answer.json().error?.message, words);
}

t.test('a fresh folder pins the organisation read by voice, then refuses the rest', async (t) => {
  const b = await startBench(t, { open: false });
  const keyset = await readFile(b.setup.keysetFile);
  const foreign = await foreignKeyset(b);
  const foreignBytes = await readFile(foreign.file);
  t.notOk(await hasKeyset(b));

  refused(t, await postKeyset(b, '', b.setup.orgFingerprint), 400, 'FILE_INVALID', /not a JSON file/); // prettier-ignore
  refused(t, await postKeyset(b, Uint8Array.of(0xff, 0xfe, 0, 1, 2), b.setup.orgFingerprint), 400, 'FILE_INVALID', /not a JSON file/); // prettier-ignore
  refused(t, await postKeyset(b, '{"hello": "world"}', b.setup.orgFingerprint), 400, 'VERSION_UNSUPPORTED', /unknown keyset format/); // prettier-ignore
  refused(t, await postKeyset(b, JSON.stringify({ ...JSON.parse(keyset.toString()), signer: '!!' }), b.setup.orgFingerprint), 400, 'ENCODING_INVALID', /not in the expected format/); // prettier-ignore
  refused(t, await postKeyset(b, new Uint8Array((1 << 20) + 1).fill(32), b.setup.orgFingerprint), 400, 'FILE_INVALID', /too large to be a keyset file\. Check that you chose the right file/); // prettier-ignore
  refused(t, await postKeyset(b, keyset), 400, 'ORGANISATION_NOT_PINNED', /--organisation|fingerprint/); // prettier-ignore
  refused(t, await postKeyset(b, keyset, 'not a fingerprint'), 400, 'KEYSET_ROOT_MISMATCH', /another organisation/); // prettier-ignore
  // Signed, but by a root other than the one the reviewer was read.
  refused(t, await postKeyset(b, foreignBytes, b.setup.orgFingerprint), 400, 'KEYSET_ROOT_MISMATCH', /another organisation/); // prettier-ignore
  refused(t, await postKeyset(b, keyset, b.setup.orgFingerprint, `${b.workbench.secret.slice(0, -1)}${b.workbench.secret.endsWith('A') ? 'B' : 'A'}`), 401, 'SECRET_WRONG', /wrong workbench secret/); // prettier-ignore
  const bare = await call(b.workbench, '/api/keyset', { method: 'POST', body: keyset, secret: false }); // prettier-ignore
  refused(t, bare, 401, 'SECRET_MISSING', /does not carry the workbench secret/);
  t.notOk(await hasKeyset(b), 'nothing refused was adopted');

  const adopted = await postKeyset(b, keyset, b.setup.orgFingerprint);
  t.equal(adopted.status, 200, adopted.body.toString());
  t.match(adopted.json().lines, [/now trusts the organisation key/, /Using keyset version 1/]);
  t.ok(await hasKeyset(b));

  // From now on the folder pins that root: the typed fingerprint no longer matters.
  refused(t, await postKeyset(b, foreignBytes, foreign.fingerprint), 400, 'KEYSET_ROOT_MISMATCH', /another organisation/); // prettier-ignore
  const state = JSON.parse(await readFile(join(b.cases, '.sealbox', 'state.json'), 'utf8')) as {
    keysetVersion: number;
  };
  t.equal(state.keysetVersion, 1, 'the foreign version 7 was not taken');
  const again = await postKeyset(b, keyset);
  t.equal(again.status, 200, 'the same keyset again changes nothing');
  t.same(again.json().lines, []);
});
