// The auth API's contract: the login's body and its answer (a bearer token, its lifetime and who it is for). The
// dashboard takes its session's type from here.
import { Type } from '@sinclair/typebox';
import { AuthUser } from '../../../core/auth/scope.ts';

export const Login = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const Token = Type.Object({ token: Type.String(), expiresIn: Type.Integer({ description: 'Seconds' }), user: AuthUser });
