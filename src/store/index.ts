export { openStore } from "./open.js";
export {
  type ListRevisionsOptions,
  type RevisionMeta,
  StaleRevisionError,
  type Store,
  type StoredRevision,
  type StoreWatch,
} from "./types.js";
export { parseStoreUrl, redactStoreUrl, type StoreLocation, storeUrlHasPassword } from "./url.js";
