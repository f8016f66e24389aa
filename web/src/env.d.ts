// Constants that web/build.ts writes into the bundles with esbuild's `define`.
declare const __SEALBOX_ORG_FINGERPRINT__: string;
declare const __SEALBOX_POW_WORKER__: string;
declare const __SEALBOX_APP__: string;
declare const __SEALBOX_APP_FALLBACK__: string;
declare const __SEALBOX_DEMO__: boolean;
