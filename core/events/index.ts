// The event model: each schema gives the TypeScript type, the runtime check and the API documentation.
export * from './common.ts';
export * from './door-event.ts';
export * from './camera-health.ts';
export * from './camera-event.ts';
export * from './camera-status.ts';
export * from './face.ts';
export * from './alert.ts';
export * from './repair.ts';
export { validator, ValidationError } from './validate.ts';
