export { requestIdOf, withHttp } from './middleware';
export { MAX_BODY_BYTES, parseCredentialsRequest, parseRolesRequest } from './request';
export { errorResponse, jsonResponse } from './response';
