// Errors a caller can act on, as values with a class: the status, the field at fault and a message, so no one has to
// parse a message back into its parts. The gateway answers them as `{ error, field, message }` with that status.
export type RequestStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429;

export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly statusCode: RequestStatus,
    message: string,
    /** The offending input, as the API names it (`body.state`, `querystring.q`), when one is at fault. */
    readonly field?: string,
  ) {
    super(message);
  }
}
