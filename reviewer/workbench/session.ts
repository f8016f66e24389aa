// The passphrase, asked once per session through the page and kept in this
// process's memory only: never written, never logged, never sent back. It is
// forgotten on "lock" and after `idleMs` without a request that uses it.
export class PassphraseSession {
  #passphrase: string | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(readonly idleMs: number) {}

  get unlocked(): boolean {
    return this.#passphrase !== null;
  }

  unlock(passphrase: string): void {
    this.#passphrase = passphrase;
    this.touch();
  }

  /** The passphrase for one command; restarts the idle clock. */
  use(): string | null {
    if (this.#passphrase !== null) this.touch();
    return this.#passphrase;
  }

  touch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#passphrase === null) return;
    this.#timer = setTimeout(() => this.lock(), this.idleMs);
    this.#timer.unref();
  }

  lock(): void {
    this.#passphrase = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
