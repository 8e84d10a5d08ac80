/** The options of `crossgate start`, as commander parses them. */
export interface StartOptions {
  config?: string;
  listen?: string;
  /** --admin HOST:PORT, or false for --no-admin. */
  admin?: string | false;
  watch: boolean;
  accessLog: boolean;
  /** --store, else $CROSSGATE_STORE, else DEFAULT_STORE. */
  store: string;
  /** Whether the store URL came from the command line (and so shows in the process list). */
  storeFromArgs: boolean;
  cache?: string;
  seed?: string;
  workers?: string;
}

export const DEFAULT_GATEWAY_LISTEN = "127.0.0.1:8080";
/** Where the admin API listens in store mode unless listen.admin, --admin or --no-admin says otherwise. */
export const DEFAULT_ADMIN_LISTEN = "127.0.0.1:9876";
export const DEFAULT_STORE = "sqlite:./crossgate.db";
