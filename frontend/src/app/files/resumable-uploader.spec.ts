import { ErrorCodes } from '@parley/contract';
import type { DetailedError, HttpResponse } from 'tus-js-client';
import { uploadFailure } from './resumable-uploader';

/** A server answer as tus-js-client hands it over. */
function answered(status: number, body: string): DetailedError {
  const response: HttpResponse = { getStatus: () => status, getBody: () => body, getHeader: () => undefined, getUnderlyingObject: () => null };
  return Object.assign(new Error('tus: unexpected response'), { originalResponse: response }) as DetailedError;
}

describe('uploadFailure', () => {
  it('says what the server said when it refused', () => {
    const error = answered(413, JSON.stringify({ statusCode: 413, code: ErrorCodes.QuotaExceeded, message: 'the limit is 1 GB per person' }));
    expect(uploadFailure(error)).toEqual({ code: ErrorCodes.QuotaExceeded, message: 'the limit is 1 GB per person' });
  });

  it('names the status when the answer is not Parley’s (a proxy)', () => {
    expect(uploadFailure(answered(502, '<html>Bad gateway</html>'))).toEqual({ code: 'NETWORK', message: 'The server answered 502; try again' });
  });

  it('calls silence a dropped connection', () => {
    expect(uploadFailure(new Error('tus: failed to upload chunk'))).toEqual({ code: 'NETWORK', message: expect.stringContaining('connection dropped') });
  });
});
