// The courier's failures, in a module of their own that opens nothing: the
// exit-code table (reviewer/exit-codes.ts) recognises them by their class
// without loading the only code of the tool that touches the network.

/**
 * A failure talking to the server, or a served page that differs from what the
 * organisation signed, with a stable code for the exit-code table.
 */
export class CourierError extends Error {
  constructor(
    readonly code: 'SERVER_UNREACHABLE' | 'SERVER_REFUSED' | 'COURIER_REJECTED' | 'PAGE_DIFFERS',
    message: string,
    /** The server's own error code, when it answered with one. */
    readonly serverCode?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CourierError';
  }
}
