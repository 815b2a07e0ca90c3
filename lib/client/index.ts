export { createIdentityToken } from './identity-token';
export { fromBroker } from './provider';
export { SDK_REFRESH_MARGIN_MS } from './refresh';
export {
  type BrokerConnectionOptions,
  type BrokerCredentials,
  BrokerRequestError,
  type BrokerRequestOptions,
  requestCredentials,
  requestRoles,
} from './request';
