import t from 'tap';
import { readFile } from 'node:fs/promises';
import { CliError, isCliError } from '../../reviewer/errors.ts';
import { CodedError, SealboxError, isSealboxError } from '../../client-crypto/index.ts';

t.test('one coded-error base: each guard knows its own class and code', (t) => {
  const sealbox = new SealboxError('STREAM_TAMPERED', 'damaged');
  const cli = new CliError('USAGE', 'bad arguments');
  t.ok(sealbox instanceof CodedError && cli instanceof CodedError);
  t.equal(sealbox.name, 'SealboxError');
  t.equal(cli.name, 'CliError');
  t.equal(sealbox.message, 'damaged');
  t.ok(isSealboxError(sealbox));
  t.ok(isSealboxError(sealbox, 'STREAM_TAMPERED'));
  t.notOk(isSealboxError(sealbox, 'STREAM_TRUNCATED'));
  t.notOk(isSealboxError(cli));
  t.ok(isCliError(cli, 'USAGE'));
  t.notOk(isCliError(sealbox));
  t.notOk(isCliError(new Error('plain')));
  t.end();
});

t.test('docs/protocol.md lists every SealboxErrorCode, and no other', async (t) => {
  const read = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');
  const source = await read('../../client-crypto/errors.ts');
  const start = source.indexOf('export type SealboxErrorCode');
  const union = source.slice(start, source.indexOf(';', start));
  const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
  t.ok(codes.length >= 20, `${codes.length} codes in errors.ts`);
  const spec = await read('../../docs/protocol.md');
  const table = spec.slice(
    spec.indexOf('## Error codes'),
    spec.indexOf('\n## ', spec.indexOf('## Error codes') + 1),
  );
  const listed = [...table.matchAll(/^\| `([A-Z_]+)` /gm)].map((m) => m[1]!);
  t.same([...listed].sort(), [...codes].sort(), 'the table of "Error codes" is the union');
});
