// Schemas every route shares: the error body, pagination query and the paged answer.
import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The offending input, e.g. querystring.limit' })),
  },
  { $id: 'ErrorBody' },
);

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'Page number, from 1' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Items per page' })),
};

export function Paged<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() });
}

/** offset/limit for a repository from `page` and `limit`. */
export function pageOf(q: { page?: number; limit?: number }): { page: number; limit: number; offset: number } {
  const page = q.page ?? 1;
  const limit = q.limit ?? 50;
  return { page, limit, offset: (page - 1) * limit };
}

export const Bearer = [{ bearer: [] as string[] }];
