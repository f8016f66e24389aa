// Runs `review open` in a process of its own and kills that process, with
// SIGKILL, at the Nth time the run reaches a durable step: a crash exactly
// there. Arguments: one JSON object (see Args). Run by open-steps.test.ts.
import { reviewOpen } from '../../reviewer/commands/review-open.ts';
import type { OpenStep } from '../../reviewer/cases/steps.ts';
import { processIo } from '../../reviewer/io.ts';

interface Args {
  bundle: string;
  key: string;
  cases: string;
  keyset: string;
  organisation: string;
  step: OpenStep;
  nth: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
let seen = 0;
await reviewOpen(
  {
    bundle: args.bundle,
    key: args.key,
    cases: args.cases,
    keyset: args.keyset,
    organisation: args.organisation,
    onStep: async (step) => {
      if (step !== args.step || ++seen < args.nth) return;
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined); // nothing more happens in this process
    },
  },
  processIo(),
);
// Reached only when the run never came to the step as often as asked.
process.stdout.write('FINISHED\n');
