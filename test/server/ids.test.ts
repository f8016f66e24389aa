import t from 'tap';
import { newId } from '../../server/ids.ts';
import { isSafeId } from '../../reviewer/cases/safe-name.ts';

t.test(
  'every id the server hands out is one the review tool accepts as a folder name',
  async (t) => {
    const seen = new Set<string>();
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const id = newId();
      if (!isSafeId(id) || !/^[A-Za-z0-9][A-Za-z0-9_-]{21}$/.test(id)) refused++;
      seen.add(id);
    }
    t.equal(refused, 0, 'no id starts with - or _, all are 22 base64url characters');
    t.equal(seen.size, 20_000, 'no repeats');
  },
);
