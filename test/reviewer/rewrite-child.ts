// Run as its own process by key-rewrite.test.ts: writes a reviewer key file
// again without its first epoch, and kills itself (SIGKILL, no cleanup) at
// the step named on the command line.
import { type RewriteStep } from '../../reviewer/key-rewrite.ts';
import { loadReviewerKey, rewriteReviewerKey } from '../../reviewer/keys.ts';

const [path, stopAt] = process.argv.slice(2) as [string, RewriteStep];
const key = await loadReviewerKey(path, { env: process.env });
await rewriteReviewerKey(key, { ...key.secrets, epochs: key.secrets.epochs.slice(1) }, (step) => {
  if (step === stopAt) process.kill(process.pid, 'SIGKILL');
});
