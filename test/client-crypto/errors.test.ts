import t from 'tap';
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
