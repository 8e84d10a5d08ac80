/**
 * The Vary of every answer to a preflight, refusals included (SPEC section 4): the answer is decided
 * by these request headers, so a cache must never hand one preflight's answer to another.
 */
export const PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
/** PREFLIGHT_VARY for a policy that answers Private Network Access. */
export const PREFLIGHT_VARY_PNA = `${PREFLIGHT_VARY}, Access-Control-Request-Private-Network`;
