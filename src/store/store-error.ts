/** The store cannot be opened or used: the message names the database (a URL without its password). */
export class StoreError extends Error {
  readonly code = 'FM_STORE';
}
