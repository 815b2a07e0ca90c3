export { HubSessionCache } from './hub-cache';
export { createIssuer, type Issuer } from './issuer';
export { SessionReuse } from './session-reuse';
