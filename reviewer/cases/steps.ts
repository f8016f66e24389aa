// The durable steps of `review open`, in the order a batch goes through them.
// A hook told of each lets the fault tests stop a run exactly there, as a
// crash or a power cut would (test/reviewer/open-steps.test.ts); the tool
// itself passes none.

export type OpenStep =
  /** A batch's items, case records and pages are written where no one looks. */
  | 'written'
  /** All of it is fsynced. */
  | 'synced'
  /** One new case folder or item folder is renamed into place. */
  | 'moved'
  /** One existing case's page or record is replaced. */
  | 'replaced'
  /** The batch's journal lines are written, not yet fsynced. */
  | 'journal-written'
  /** The journal lines are on disk. */
  | 'journal-synced'
  /** state.json holds every item of the journal, which is still there. */
  | 'state-saved';

export type StepHook = (step: OpenStep) => void | Promise<void>;

export const noSteps: StepHook = () => undefined;
