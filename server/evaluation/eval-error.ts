/**
 * A problem with what the user asked to evaluate (labels file, taxonomy):
 * `shotscale eval` prints the message and exits 1. Kept local to the
 * evaluation rather than in server/errors.ts so the pure modules stay free of
 * the server's catalogue; the CLI decides how it is shown.
 */
export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}
