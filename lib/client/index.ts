export { createIdentityToken } from './identity-token';
export { fromBroker } from './provider';
export {
  type BrokerCredentials,
  BrokerRequestError,
  type BrokerRequestOptions,
  requestCredentials,
} from './request';
