export { openStore } from "./open.js";
export {
  type ListRevisionsOptions,
  type RevisionMeta,
  StaleRevisionError,
  type Store,
  type StoredCertificate,
  type StoredRevision,
  type StoreWatch,
} from "./types.js";
export { parseStoreUrl, redactStoreUrl, type StoreLocation, storeUrlHasPassword } from "./url.js";
