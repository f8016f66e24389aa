// The Node.js version the README names is one every installed package accepts:
// `npm install` on it prints no engine warning, and package.json says the same.
import { readFile } from 'node:fs/promises';
import semver from 'semver';
import t from 'tap';

const root = new URL('../../', import.meta.url);
const read = async (path: string) => readFile(new URL(path, root), 'utf8');

t.test('every locked package runs on the Node.js version the README names', async (t) => {
  const readme = await read('README.md');
  const named = /With Node\.js (\d+\.\d+) or newer/.exec(readme)?.[1];
  t.ok(named, 'the README names a version');
  const minimum = `${named}.0`;
  const pkg = JSON.parse(await read('package.json')) as { engines: { node: string } };
  t.equal(semver.minVersion(pkg.engines.node)?.version, minimum, 'package.json says the same');
  const lock = JSON.parse(await read('package-lock.json')) as {
    packages: Record<string, { engines?: Record<string, string> | string[] }>;
  };
  const refusing: string[] = [];
  let checked = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (!range) continue;
    checked += 1;
    if (!semver.satisfies(minimum, range)) refusing.push(`${path} (${range})`);
    if (!semver.satisfies(process.version, range)) refusing.push(`${path} on ${process.version}`);
  }
  t.ok(checked > 100, `${checked} packages declare the Node.js versions they take`);
  t.same(refusing, [], `every one takes Node.js ${minimum}`);
});
