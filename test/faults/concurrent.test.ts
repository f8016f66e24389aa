// Many clients submit at once; every acknowledged case is exported and opened
// by the reviewer tool exactly once, and nothing else appears.
// SEALBOX_CONCURRENT_SUBMISSIONS sets the count (200 here; the soak runs 10,000).
import t from 'tap';
import { crowdServer, reviewAll, submitMany } from './many.ts';

const COUNT = Number(process.env.SEALBOX_CONCURRENT_SUBMISSIONS ?? 200);

t.test(`${COUNT} concurrent submissions are each opened exactly once`, async (t) => {
  const { server, org } = await crowdServer(t);

  const { acknowledged, refused } = await submitMany(server, org, COUNT, 40);
  t.equal(refused, 0, 'no submission refused');
  t.equal(acknowledged.size, COUNT);
  const { pulled, opened, seen } = await reviewAll(server, org);
  t.equal(pulled, COUNT, 'all exported');
  t.equal(opened, COUNT, 'all opened');
  const twice = [...seen].filter(([, times]) => times !== 1);
  t.same(twice, [], 'each exactly once');
  t.same(
    [...seen.keys()].sort((a, b) => a - b),
    [...acknowledged].sort((a, b) => a - b),
    'exactly the acknowledged ones',
  );
});
