/** The files of the demo's CA and of the localhost certificate it signed (scripts/demo-https.mjs). */
export interface DemoCertificate {
  readonly ca: string;
  readonly caKey: string;
  readonly cert: string;
  readonly chain: string;
  readonly key: string;
}

export function demoCertificate(dir: string): DemoCertificate;
export function seedWithCertificate(demoSeed: string, files: DemoCertificate, out: string): string;
/** The lines to print about the https demo. */
export function startHttpsDemo(storeUrl: string, files: DemoCertificate, dir: string): string[];
