export { requestIdOf, withHttp } from './middleware';
export { MAX_BODY_BYTES, parseCredentialsRequest } from './request';
export { errorResponse, jsonResponse } from './response';
