export { type Caller, parseCallerArn, parseRoleArn, type RoleArn } from './caller';
export { type PrincipalPattern, parsePrincipalPattern } from './pattern';
export { sessionNameFor } from './session-name';
