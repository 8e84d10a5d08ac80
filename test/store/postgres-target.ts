import pg from "pg";
import type { TestPostgres } from "../support/postgres.js";
import type { StoreTarget } from "./store-conformance.js";

/** Store URLs on the test server `server()`: a new empty database on every call. */
export function postgresTarget(server: () => TestPostgres): StoreTarget {
  let count = 0;
  return {
    async freshUrl() {
      const name = `store_${process.pid}_${++count}`;
      const admin = new pg.Client({ connectionString: server().url });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(server().url);
      url.pathname = `/${name}`;
      return url.toString();
    },
  };
}
