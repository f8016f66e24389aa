// The proof of work is altcha's format with the HMACs computed in server/pow.ts:
// altcha-lib's own verifier and solvers (the Node one and the WebCrypto one the
// submit page runs) must accept its challenges, and it must accept altcha-lib's.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Test } from 'tap';
import { createChallenge, randomInt, solveChallenge, verifySolution } from 'altcha-lib';
import type { Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { deriveKey as webDeriveKey } from 'altcha-lib/algorithms/web/sha';
import { ApiError } from '../../server/errors.ts';
import { altchaSecrets, proofOfWork } from '../../server/pow.ts';
import type { Proof } from '../../server/pow.ts';
import { testDatabase } from '../helper.ts';

const DIFFICULTY = 50;

async function solve(challenge: Challenge, derive = deriveKey): Promise<Proof> {
  const solution = await solveChallenge({ challenge, deriveKey: derive });
  if (!solution) throw new Error('not solved');
  return {
    challenge: { parameters: { ...challenge.parameters }, signature: challenge.signature! },
    solution: { counter: solution.counter, derivedKey: solution.derivedKey },
  };
}

function refusedWith(t: Test, run: () => unknown, code: string, name: string): void {
  try {
    run();
    t.fail(`${name}: accepted`);
  } catch (error) {
    t.ok(error instanceof ApiError, `${name}: an API error`);
    t.equal((error as ApiError).code, code, name);
  }
}

t.test('altcha-lib and the server accept each other', async (t) => {
  const db = await testDatabase(t);
  const secret = randomBytes(32).toString('base64url');
  const pow = proofOfWork({ db, secret, difficulty: DIFFICULTY, expiresSeconds: 600, topLevel: 0 });

  const issued = await pow.issue();
  t.match(issued.parameters, {
    algorithm: 'SHA-256',
    cost: 1,
    keyLength: 32,
    keyPrefix: /^[0-9a-f]{32}$/,
    keySignature: /^[0-9a-f]{64}$/,
    nonce: /^[0-9a-f]{32}$/,
    salt: /^[0-9a-f]{32}$/,
  });
  t.same(
    Object.keys(issued.parameters),
    Object.keys(issued.parameters).sort(),
    'keys in canonical order',
  );

  const byNode = await solve(issued);
  t.ok(byNode.solution.counter >= 1 && byNode.solution.counter <= DIFFICULTY, 'within difficulty');
  const byPage = await solve(issued, webDeriveKey);
  t.same(byPage.solution, byNode.solution, "the page's WebCrypto solver finds the same key");

  const altcha = await verifySolution({
    challenge: issued,
    solution: byNode.solution,
    deriveKey,
    ...altchaSecrets(secret),
  });
  t.equal(altcha.verified, true, "altcha-lib's verifier accepts the server's challenge");
  t.match(pow.verify(byNode), { expiresOn: /^\d{4}-\d{2}-\d{2}$/ });
  t.equal(pow.verify(byNode).digest.length, 32);

  const fromAltcha = await createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    counter: randomInt(DIFFICULTY),
    deriveKey,
    expiresAt: Math.floor(Date.now() / 1000) + 600,
    ...altchaSecrets(secret),
  });
  t.ok(pow.verify(await solve(fromAltcha)), "the server accepts altcha-lib's challenge");

  const otherServer = proofOfWork({
    db,
    secret: randomBytes(32).toString('base64url'),
    difficulty: DIFFICULTY,
    expiresSeconds: 600,
    topLevel: 0,
  });
  refusedWith(t, () => otherServer.verify(byNode), 'CHALLENGE_INVALID', 'another secret');

  await pow.spend(byNode);
  await t.rejects(pow.spend(byNode), { code: 'CHALLENGE_SPENT' }, 'spent once');
  t.ok(pow.verify(byNode), 'verifying alone spends nothing');
});

t.test('what does not verify', async (t) => {
  const db = await testDatabase(t);
  const secret = randomBytes(32).toString('base64url');
  const pow = proofOfWork({ db, secret, difficulty: DIFFICULTY, expiresSeconds: 600, topLevel: 0 });
  const good = await solve(await pow.issue());
  const variant = (change: (p: Proof) => void): Proof => {
    const copy = structuredClone(good);
    change(copy);
    return copy;
  };

  refusedWith(
    t,
    () =>
      pow.verify(
        variant((p) => {
          const k = p.solution.derivedKey;
          p.solution.derivedKey = (k[0] === '0' ? '1' : '0') + k.slice(1);
        }),
      ),
    'CHALLENGE_INVALID',
    'a forged key',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => (p.solution.derivedKey = p.solution.derivedKey.slice(1)))),
    'CHALLENGE_INVALID',
    'a key of odd length',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => (p.solution.counter = 2 ** 32))),
    'CHALLENGE_INVALID',
    'a counter beyond 32 bits',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => (p.challenge.parameters.expiresAt! += 3600))),
    'CHALLENGE_INVALID',
    'a later expiry',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => (p.challenge.parameters.extra = 'x'))),
    'CHALLENGE_INVALID',
    'an added parameter',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => (p.challenge.parameters.algorithm = 'SHA-512'))),
    'CHALLENGE_INVALID',
    'another algorithm',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => delete p.challenge.parameters.expiresAt)),
    'CHALLENGE_INVALID',
    'no expiry',
  );

  // Correctly signed, but without the key signature every server challenge carries.
  const unkeyed = await createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    counter: randomInt(DIFFICULTY),
    deriveKey,
    expiresAt: Math.floor(Date.now() / 1000) + 600,
    hmacSignatureSecret: altchaSecrets(secret).hmacSignatureSecret,
  });
  const unkeyedProof = await solve(unkeyed);
  refusedWith(t, () => pow.verify(unkeyedProof), 'CHALLENGE_INVALID', 'no key signature');

  const expiring = proofOfWork({
    db,
    secret,
    difficulty: DIFFICULTY,
    expiresSeconds: -1,
    topLevel: 0,
  });
  const expired = await solve(await expiring.issue());
  refusedWith(t, () => pow.verify(expired), 'CHALLENGE_EXPIRED', 'expired');
});

t.test(
  'the effort level: issued only within range, carried signed, checked on return',
  async (t) => {
    const db = await testDatabase(t);
    const secret = randomBytes(32).toString('base64url');
    const pow = proofOfWork({ db, secret, difficulty: 4, expiresSeconds: 600, topLevel: 2 });

    for (const level of [-1, 3, 0.5, Number.NaN]) {
      await t.rejects(pow.issue(level), RangeError, `no challenge at level ${level}`);
    }
    for (const level of [0, 1, 2]) {
      const proof = await solve(await pow.issue(level));
      t.equal(
        pow.verify(proof).level,
        level,
        `a level-${level} challenge verifies at level ${level}`,
      );
    }
    t.equal(pow.verify(await solve(await pow.issue())).level, 0, 'no level given: level 0');

    // Challenges signed with this server's secrets but a level it never issues:
    // defence in depth, should the signing key ever sign one.
    const signedWith = async (data?: Record<string, unknown>) =>
      solve(
        await createChallenge({
          algorithm: 'SHA-256',
          cost: 1,
          counter: randomInt(4),
          deriveKey,
          expiresAt: Math.floor(Date.now() / 1000) + 600,
          ...(data ? { data: data as Record<string, string | number | boolean> } : {}),
          ...altchaSecrets(secret),
        }),
      );
    t.equal(pow.verify(await signedWith()).level, 0, 'a challenge without a level is level 0');

    // Signed with this server's secrets, but of a kind it never issues.
    const sha512 = await solve(
      await createChallenge({
        algorithm: 'SHA-512',
        cost: 1,
        counter: randomInt(4),
        deriveKey,
        expiresAt: Math.floor(Date.now() / 1000) + 600,
        ...altchaSecrets(secret),
      }),
    );
    refusedWith(t, () => pow.verify(sha512), 'CHALLENGE_INVALID', 'another algorithm, signed');
    const forever = await solve(
      await createChallenge({
        algorithm: 'SHA-256',
        cost: 1,
        counter: randomInt(4),
        deriveKey,
        ...altchaSecrets(secret),
      }),
    );
    refusedWith(t, () => pow.verify(forever), 'CHALLENGE_INVALID', 'no expiry, signed');
    for (const level of [-1, 1.5, '2', true]) {
      const proof = await signedWith({ level });
      refusedWith(
        t,
        () => pow.verify(proof),
        'CHALLENGE_INVALID',
        `level ${JSON.stringify(level)}`,
      );
    }
  },
);

t.test('a proof is read strictly and kept until it can no longer verify', async (t) => {
  const db = await testDatabase(t);
  const secret = randomBytes(32).toString('base64url');
  const pow = proofOfWork({ db, secret, difficulty: 4, expiresSeconds: 600, topLevel: 0 });
  const good = await solve(await pow.issue());
  const variant = (change: (p: Proof) => void): Proof => {
    const copy = structuredClone(good);
    change(copy);
    return copy;
  };

  for (const [what, key] of [
    ['non-hex after the key', `${good.solution.derivedKey}zz`],
    ['non-hex before the key', `zz${good.solution.derivedKey}`],
    ['an empty key', ''],
  ] as const) {
    refusedWith(
      t,
      () => pow.verify(variant((p) => (p.solution.derivedKey = key))),
      'CHALLENGE_INVALID',
      what,
    );
  }
  t.ok(
    pow.verify(variant((p) => (p.solution.counter = 0xffffffff))),
    'the counter only says where the key was found: any 32-bit value',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => (p.challenge.signature = p.challenge.signature.slice(2)))),
    'CHALLENGE_INVALID',
    'a shortened signature',
  );
  refusedWith(
    t,
    () => pow.verify(variant((p) => (p.challenge.signature = ''))),
    'CHALLENGE_INVALID',
    'no signature',
  );

  const { expiresOn, digest } = pow.verify(good);
  const expiresAt = good.challenge.parameters.expiresAt!;
  const expiryDay = new Date(expiresAt * 1000).toISOString().slice(0, 10);
  const dayAfter = new Date(Date.parse(expiryDay) + 86_400_000).toISOString().slice(0, 10);
  t.equal(expiresOn, dayAfter, 'its spent record may go only the day after it expires');
  t.same(pow.verify(good).digest, digest, 'the same challenge, the same spent record');
  const other = pow.verify(await solve(await pow.issue())).digest;
  t.notSame(other, digest, 'another challenge, another spent record');
});
