// What the views kept outside main.ts need of it: how to show a screen, move
// to another view, say something, and ask for the passphrase again.
import { ApiError } from './api.ts';

export interface Shell {
  screen: (heading: string, ...content: (Node | null)[]) => void;
  go: (next: () => Promise<void>) => Promise<void>;
  say: (text: string) => void;
  problem: (error: unknown) => void;
  unlock: (then: () => Promise<void>) => Promise<void>;
  showCase: (name: string) => Promise<void>;
}

/** A button's failure: locked, the passphrase is asked and `then` shown; otherwise the reason in words. */
export function failed(shell: Shell, then: () => Promise<void>) {
  return (error: unknown): unknown =>
    error instanceof ApiError && error.code === 'PASSPHRASE_MISSING'
      ? shell.unlock(then)
      : shell.problem(error);
}
