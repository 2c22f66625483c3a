// Errors in the Cloud Storage JSON API's own shape, so clients report them as they would the real service's.

const REASON_BY_STATUS: Record<number, string> = {
  400: 'invalid',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  410: 'gone',
  412: 'conditionNotMet',
  416: 'requestedRangeNotSatisfiable',
  499: 'clientClosedRequest',
  500: 'backendError',
  503: 'backendError',
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = REASON_BY_STATUS[status] ?? 'unknown',
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The body the real service sends: an `error` object clients unwrap into their own exceptions. */
  toJSON(): {
    error: { code: number; message: string; errors: { message: string; domain: string; reason: string }[] };
  } {
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [{ message: this.message, domain: 'global', reason: this.reason }],
      },
    };
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, message);

export const bucketNotFound = (): ApiError => new ApiError(404, 'The specified bucket does not exist.');

export const objectNotFound = (bucket: string, name: string): ApiError =>
  new ApiError(404, `No such object: ${bucket}/${name}`);

export const preconditionFailed = (): ApiError =>
  new ApiError(412, 'At least one of the pre-conditions you specified did not hold.');
