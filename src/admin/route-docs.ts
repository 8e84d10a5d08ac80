import { Type as T, type TSchema } from "@sinclair/typebox";

/** Operations that need `Authorization: Bearer <token>`. */
export const BEARER = [{ bearerAuth: [] }];

const WHEN: Record<number, string> = {
  400: "CONFIG_INVALID with every problem (paths rooted in the whole configuration, or relative to the one resource written), or ADMIN_BAD_REQUEST (a body that is not an object)",
  401: "ADMIN_UNAUTHORIZED: no token, or a wrong one",
  404: "ADMIN_NOT_FOUND",
  409: "ADMIN_NAME_EXISTS (create), or ADMIN_READ_ONLY (file mode)",
  412: "STALE_REVISION: If-Match names an older revision; `current` is the head, nothing was applied",
  415: "ADMIN_UNSUPPORTED_MEDIA_TYPE: send application/json or application/yaml",
  503: "ADMIN_STORE_UNAVAILABLE: the store cannot be reached; nothing was applied",
};

/** The error responses of an operation, each the Error envelope. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((s) => [s, T.Unsafe({ description: WHEN[s] ?? "an error", $ref: "Error#" })]),
  );
}

/** The request headers of a write. */
export function writeHeaders(): TSchema {
  return T.Object({
    "if-match": T.Optional(
      T.String({
        description:
          'The revision the change is based on, "N" (an ETag of a read); 412 STALE_REVISION when the head moved on.',
      }),
    ),
    "x-crossgate-actor": T.Optional(
      T.String({ description: "Who makes the change, recorded with the revision (default: admin)." }),
    ),
  });
}
