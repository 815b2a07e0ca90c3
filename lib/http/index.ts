export { requestIdOf, withHttp } from './middleware';
export { type CredentialsRequest, MAX_BODY_BYTES, parseCredentialsRequest } from './request';
export { errorResponse, jsonResponse } from './response';
