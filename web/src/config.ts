// What a deployment pins into the page. web/build.ts bakes the organisation
// fingerprint into the bundle and into <meta name="sealbox-org-fingerprint"> of
// the pages, so the published manifest digest covers it; the server serves those
// bytes unchanged. A page from some other host may carry the <meta> alone. If both
// are present they must agree: a page that cannot tell which root to trust seals
// nothing. Whether the organisation is a DEMO is baked in with the fingerprint.
const ORG_FINGERPRINT_META = 'sealbox-org-fingerprint';
const EXIT_URL_META = 'sealbox-exit-url';

function meta(name: string): string {
  const el = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`);
  return el?.content.trim() ?? '';
}

/** The pinned fingerprint, or why there is none (as the i18n key the page shows). */
export type PinResult =
  { ok: true; fingerprint: string } | { ok: false; reason: 'trust.no_pin' | 'trust.pin_conflict' };

export function pinnedFingerprint(): PinResult {
  const baked = __SEALBOX_ORG_FINGERPRINT__.trim();
  const served = meta(ORG_FINGERPRINT_META);
  if (baked && served && baked.toUpperCase() !== served.toUpperCase()) {
    return { ok: false, reason: 'trust.pin_conflict' };
  }
  const fingerprint = baked || served;
  return fingerprint ? { ok: true, fingerprint } : { ok: false, reason: 'trust.no_pin' };
}

/** The pinned organisation is a DEMO one: its keys protect nothing. */
export function isDemo(): boolean {
  return __SEALBOX_DEMO__;
}

/** Where quick exit goes. Default about:blank: no request to anyone, no Sealbox address left. */
export function exitUrl(): string {
  const url = meta(EXIT_URL_META);
  return /^https:\/\/[^\s]+$/.test(url) ? url : 'about:blank';
}
