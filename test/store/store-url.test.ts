/**
 * Store URLs cross the command line and the environment: every password they may carry stays out of
 * messages and logs, and the forms that leave every connection setting to the PG* variables are accepted.
 */
import fc from "fast-check";
import { parse as parsePgUrl } from "pg-connection-string";
import { describe, expect, it } from "vitest";
import { parseStoreUrl, redactStoreUrl, storeUrlHasPassword } from "../../src/store/index.js";

const SECRET = "Zq9SeCrEt";
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
/** Any password, marked so it cannot occur by chance in the other parts. */
const password = fc.string({ minLength: 0, maxLength: 16 }).map((tail) => `${SECRET}${tail}`);

describe("redactStoreUrl", () => {
  const cases: Array<[string, string]> = [
    ["postgres://admin:s3cret@db:5432/x", "postgres://admin:***@db:5432/x"],
    ["postgresql://:s3cret@db/x", "postgresql://:***@db/x"],
    ["postgres://admin@db:5432/x", "postgres://admin@db:5432/x"],
    ["postgres://db:5432/x", "postgres://db:5432/x"],
    ["postgres://db/x?password=s3cret&sslmode=require", "postgres://db/x?password=***&sslmode=require"],
    ["postgres://db/x?sslmode=require&sslpassword=s3cret", "postgres://db/x?sslmode=require&sslpassword=***"],
    // Unencoded @, # and / in a password: everything up to the last @ goes.
    ["postgres://admin:s3c@r#et@db/x", "postgres://admin:***@db/x"],
    ["postgres://admin:s3c/ret@db/x", "postgres://admin:***@db/x"],
    ["mysql://admin:s3cret@db/x", "mysql://admin:***@db/x"],
    ["postgres:", "postgres:"],
    ["sqlite:./crossgate.db", "sqlite:./crossgate.db"],
  ];
  for (const [url, redacted] of cases) {
    it(`shows ${url} as ${redacted}`, () => {
      expect(redactStoreUrl(url)).toBe(redacted);
      expect(storeUrlHasPassword(url)).toBe(url !== redacted);
    });
  }

  it("never shows a password, encoded or not, in the userinfo or the query (fast-check)", () => {
    fc.assert(
      fc.property(
        word,
        password,
        word,
        fc.integer({ min: 1, max: 65535 }),
        word,
        fc.boolean(),
        (user, pass, host, port, db, encode) => {
          const secret = encode ? encodeURIComponent(pass) : pass;
          for (const url of [
            `postgres://${user}:${secret}@${host}:${port}/${db}`,
            `postgresql://${user}:${secret}@${host}/${db}?sslmode=require`,
            `postgres://${host}:${port}/${db}?password=${encodeURIComponent(pass)}`,
            `postgres://${user}:${secret}@${host}:${port}/${db}?password=${encodeURIComponent(pass)}`,
          ]) {
            const redacted = redactStoreUrl(url);
            expect(redacted).not.toContain(SECRET);
            expect(storeUrlHasPassword(url)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps what the driver reads as user, host, port and database of a well-formed URL (fast-check)", () => {
    fc.assert(
      fc.property(
        word,
        password,
        word,
        fc.integer({ min: 1, max: 65535 }),
        word,
        (user, pass, host, port, db) => {
          const url = `postgres://${user}:${encodeURIComponent(pass)}@${host}:${port}/${db}`;
          const before = parsePgUrl(url);
          const after = parsePgUrl(redactStoreUrl(url));
          expect(after.password).toBe("***");
          expect([after.user, after.host, after.port, after.database]).toEqual([
            before.user,
            before.host,
            before.port,
            before.database,
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("PostgreSQL settings from the environment", () => {
  for (const [given, url] of [
    ["postgres:", "postgres://"],
    ["postgresql:", "postgresql://"],
    ["postgres://", "postgres://"],
    ["postgres:///crossgate", "postgres:///crossgate"],
  ]) {
    it(`accepts ${given}, leaving what it omits to the PG* variables`, () => {
      expect(parseStoreUrl(given as string)).toEqual({ kind: "postgres", url });
    });
  }

  for (const url of ["postgres:db", "postgres:admin:s3cret@db", "pg://db"]) {
    it(`refuses ${url}, naming the accepted forms and no password`, () => {
      expect(() => parseStoreUrl(url)).toThrow(
        /postgres: alone to take every connection setting from the PGHOST/,
      );
      expect(() => parseStoreUrl(url)).not.toThrow(/s3cret/);
    });
  }
});
