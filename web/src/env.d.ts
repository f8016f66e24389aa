// Constants that web/build.ts writes into the bundles with esbuild's `define`.
declare const __SEALBOX_ORG_FINGERPRINT__: string;
declare const __SEALBOX_POW_WORKER__: string;
declare const __SEALBOX_APP__: string;
declare const __SEALBOX_APP_FALLBACK__: string;
declare const __SEALBOX_DEMO__: boolean;
/** The saved page's API origins, in the order to try; [] in the served page (same origin). */
declare const __SEALBOX_API_ORIGINS__: readonly string[];
/** The saved page's catalogues, all inlined; {} in the served page (fetched when chosen). */
declare const __SEALBOX_INLINE_CATALOGUES__: Record<string, Record<string, string>>;
/** The saved page's proof-of-work worker code, started from a blob: URL; '' in the served page. */
declare const __SEALBOX_POW_WORKER_SOURCE__: string;
/** The page title the organisation chose (web/build.ts --title); '' for the catalogue's, translated. */
declare const __SEALBOX_PAGE_TITLE__: string;
