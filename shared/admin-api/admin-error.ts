// The error a caller's mistake (or a refusal) leaves the admin API as: `{"error":{"code","message"}}` with its status.
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
