// Attachment names come from the submitter, i.e. from anyone. They must never
// leave their folder, hide themselves, pose as another type (right-to-left
// override tricks), be reserved on Windows, or open as active content with a
// double-click. We keep as much of the original name as is safe.

const MAX_NAME_BYTES = 180;

// Extensions that run code or render active content when double-clicked or
// opened from disk in a browser. They get ".txt" appended: still readable,
// never executed.
const ACTIVE_EXTENSIONS = new Set([
  'app', 'bat', 'cmd', 'com', 'cpl', 'desktop', 'dll', 'exe', 'hta', 'htm', 'html', 'jar',
  'js', 'jse', 'lnk', 'mht', 'mhtml', 'mjs', 'msc', 'msi', 'msp', 'pif', 'ps1', 'psm1', 'reg',
  'scr', 'sh', 'shtml', 'svg', 'svgz', 'url', 'vb', 'vbe', 'vbs', 'webloc', 'ws', 'wsf', 'xht',
  'xhtml', 'xml', 'xsl', 'command', 'tool', 'appimage', 'run', 'py', 'pl', 'php', 'iso', 'img',
  'docm', 'xlsm', 'pptm', 'dotm', 'xlam',
]); // prettier-ignore

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

// C0/C1 controls, bidi embeddings/overrides/isolates, zero-width and BOM.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const RESERVED = /[<>:"/\\|?*]/g;

export function safeFileName(original: string, fallback = 'attachment'): string {
  // Only the last path component of whatever the submitter's system sent.
  const base = original.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let name = base.replace(INVISIBLE, '').replace(RESERVED, '_');
  // No hidden files, no "." or "..", no trailing dot or space (Windows drops them).
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (name === '') name = fallback;
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  const extension = extensionOf(name);
  if (extension !== '' && ACTIVE_EXTENSIONS.has(extension.toLowerCase())) name = `${name}.txt`;
  return truncateKeepingExtension(name, MAX_NAME_BYTES);
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : '';
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const tail = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const chars = [...name.slice(0, name.length - tail.length)];
  while (chars.length > 0 && utf8Length(chars.join('') + tail) > maxBytes) chars.pop();
  return chars.join('') + tail;
}

// "report.pdf" → "report (2).pdf", avoiding every name already taken in the
// folder, compared case-insensitively (macOS and Windows folders are).
export function uniqueFileName(name: string, taken: ReadonlySet<string>): string {
  const lowerTaken = new Set([...taken].map((n) => n.toLowerCase()));
  if (!lowerTaken.has(name.toLowerCase())) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${extension}`;
    if (!lowerTaken.has(candidate.toLowerCase())) return candidate;
  }
}

// Case and item ids come from the server's bundle (base64url, as statements
// require): no dot, no slash, so never a path. A case id becomes a folder name
// and a command-line argument; one starting with "-" would read as an option
// (and as a formula in a spreadsheet), so its folder and displayed name start
// with "case." instead (a dot is not base64url, so no two ids share a name).
export function isSafeId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id);
}

export function caseName(caseId: string): string {
  return caseId.startsWith('-') ? `case.${caseId}` : caseId;
}

/** The case id for what a person typed or saw: the displayed name or the id itself. */
export function caseIdFromName(name: string): string {
  return name.startsWith('case.') ? name.slice(5) : name;
}
