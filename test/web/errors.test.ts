// What a person reads when sealing or sending fails. A keyset that cannot be
// trusted is a trust failure in the submit page's words, never a network error,
// whichever write (a report, a follow-up) met it.
import t from 'tap';
import { SealboxError } from '../../client-crypto/index.ts';
import { ApiError } from '../../web/src/api.ts';
import {
  describeFailure,
  describeFollowupFailure,
  describeSubmitFailure,
} from '../../web/src/errors.ts';
import { KeysetNotTrusted } from '../../web/src/trust.ts';

void t.test('a keyset that does not verify is a trust failure', async (t) => {
  t.same(describeFailure(new KeysetNotTrusted('trust.bad_signature', false)), {
    key: 'trust.failed',
    detail: 'trust.bad_signature',
    final: true,
  });
  const unreachable = describeFailure(new KeysetNotTrusted('trust.unreachable', true));
  t.equal(unreachable.key, 'trust.failed');
  t.equal(unreachable.detail, 'trust.unreachable');
  t.equal(unreachable.final, false, 'a keyset that could not be fetched may be tried again');
  const noEpoch = describeFailure(new KeysetNotTrusted('trust.no_epoch', true));
  t.same(noEpoch, { key: 'trust.failed', detail: 'trust.no_epoch', final: false });
});

void t.test(
  'a page that is not the one the organisation signed says so in its own words',
  async (t) => {
    t.same(describeFailure(new KeysetNotTrusted('page.file_changed', false)), {
      key: 'page.failed',
      detail: 'page.file_changed',
      final: true,
    });
    t.equal(describeFailure(new KeysetNotTrusted('page.unreachable', true)).final, false);
  },
);

void t.test('epoch keys the server refuses twice say so, and keep the answers', async (t) => {
  t.same(describeFailure(new ApiError(409, 'EPOCH_NOT_CURRENT', 'not current')), {
    key: 'error.epoch',
    final: false,
  });
  t.same(describeFailure(new ApiError(409, 'CHALLENGE_SPENT', 'spent')), {
    key: 'error.server',
    vars: { code: 'CHALLENGE_SPENT' },
    final: false,
  });
});

void t.test('other failures keep their messages', async (t) => {
  t.equal(describeFailure(new ApiError(0, 'NETWORK', 'down')).key, 'error.network');
  t.equal(describeFailure(new ApiError(503, 'BUSY', 'busy')).key, 'error.busy');
  t.equal(describeFailure(new ApiError(413, 'TOO_LARGE', 'big')).key, 'error.too_large');
  t.same(describeFailure(new ApiError(400, 'BAD_PROOF', 'no')), {
    key: 'error.server',
    vars: { code: 'BAD_PROOF' },
    final: false,
  });
  const crypto = describeFailure(new SealboxError('KEYSET_EXPIRED', 'expired'));
  t.same(crypto, { key: 'error.crypto', vars: { code: 'KEYSET_EXPIRED' }, final: true });
  t.equal(describeFailure(new Error('?')).key, 'error.unexpected');
});

void t.test(
  'a report cut off by the network says nothing was sent and the answers are kept',
  async (t) => {
    t.same(describeSubmitFailure(new ApiError(0, 'NETWORK', 'offline')), {
      key: 'error.network_unsent',
      final: false,
    });
    t.same(
      describeSubmitFailure(new ApiError(503, 'BUSY', 'busy')),
      describeFailure(new ApiError(503, 'BUSY', 'busy')),
      'other failures read as before',
    );
  },
);

void t.test('a follow-up cut off by the network says so in its own words', async (t) => {
  t.same(describeFollowupFailure(new ApiError(0, 'NETWORK', 'offline')), {
    key: 'followup.network_unsent',
    final: false,
  });
  t.same(
    describeFollowupFailure(new ApiError(409, 'UPLOAD_NOT_CLAIMABLE', 'taken')),
    { key: 'error.server', vars: { code: 'UPLOAD_NOT_CLAIMABLE' }, final: false },
    'a refused file is a refusal the person can try again',
  );
  t.same(
    describeFollowupFailure(new SealboxError('STREAM_TAMPERED', 'bad')),
    { key: 'error.crypto', vars: { code: 'STREAM_TAMPERED' }, final: true },
    'a failed security check ends it',
  );
});
