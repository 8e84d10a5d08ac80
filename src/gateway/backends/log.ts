/**
 * Where backends report failures the client only sees as a generic 502/504: the gateway's pino
 * logger when the caller passes one (`buildBackends(apis, { logger })`), else `console.error`.
 * The message is complete on its own (request id, backend, problem); the fields repeat it for JSON logs.
 */
export interface BackendLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

export const consoleBackendLogger: BackendLogger = {
  error(fields, message) {
    if (fields.err === undefined) console.error(message);
    else console.error(message, fields.err);
  },
};
