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
