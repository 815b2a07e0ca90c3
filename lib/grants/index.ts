export { createGrantCache, createGrantStore, type GrantCache } from './cache';
export { type Grant, parseGrant } from './schema';
export { selectGrant } from './select';
export { type GrantSet, loadGrants, readGrantParameters } from './store';
