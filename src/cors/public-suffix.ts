import { parse } from "tldts";

/**
 * True when `domain` is itself a public suffix on the Public Suffix List, ICANN or private
 * section (`com`, `co.uk`, `github.io`): a wildcard over it would admit sites of strangers.
 * Names outside the list (`test`, `localhost`) are not public suffixes.
 */
export function isPublicSuffix(domain: string): { readonly section: "ICANN" | "private" } | null {
  const info = parse(domain, { allowPrivateDomains: true });
  if (info.publicSuffix !== domain) return null;
  if (info.isIcann) return { section: "ICANN" };
  if (info.isPrivate) return { section: "private" };
  return null;
}
