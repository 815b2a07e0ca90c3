export { HubSessionCache } from './hub-cache';
export {
  createIssuer,
  DEFAULT_DURATION_SECONDS,
  type Issuer,
  MIN_DURATION_SECONDS,
} from './issuer';
export { SessionReuse } from './session-reuse';
