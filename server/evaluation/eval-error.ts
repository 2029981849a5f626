/**
 * A problem with what the user asked to evaluate (labels file, taxonomy):
 * the message says what and where (`FILE:LINE: ...`), the hint what to do.
 * Kept local to the evaluation rather than in server/errors.ts so the pure
 * modules stay free of the server's catalogue; the CLI decides how it is
 * shown (INPUT_UNREADABLE, labelled-images.ts).
 */
export class EvalInputError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'EvalInputError';
    this.hint = hint;
  }
}
