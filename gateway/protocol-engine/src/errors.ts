/**
 * Facts or an area the engine cannot work with: contradictory dates, an unknown area. The message says what to
 * fix and `field` names the input; the gateway turns it into BAD_USER_INPUT. The engine has no GraphQL of its own.
 */
export class ProtocolInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "ProtocolInputError";
  }
}
