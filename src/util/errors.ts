/**
 * A mistake of the user's (bad file, unknown character, bad config), as opposed to a bug.
 * The CLI prints its message as one line, without a stack trace, and exits non-zero.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}
