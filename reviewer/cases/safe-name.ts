// Attachment names come from the submitter, i.e. from anyone. They must never
// leave their folder, hide themselves, pose as another type (right-to-left
// override tricks), be reserved on Windows, or open as active content with a
// double-click. We keep as much of the original name as is safe.
//
// The order matters: the name is cut to its byte budget first and only then
// judged, so that what is judged is what is written (cutting
// "AAAA….html.bbbb…" used to leave "AAAA….html" after the check had passed).

const MAX_NAME_BYTES = 180;

// The suffix for every other name: "application/octet-stream" to a browser,
// no program registered for it, so a double-click asks instead of running.
const NEUTRAL = '.bin';

// An allow-list, because the list of what runs is endless (.chm, .xll, .scf,
// .library-ms, .jnlp, .vhdx, .terminal…) and grows with every program
// installed. Each of these opens in a viewer or player that runs no code from
// the file: documents without macros (not .doc/.xls/.ppt or the *m formats),
// images that are not SVG, audio and video, and archives that only list their
// contents. Not here on purpose: htm/html/svg/xml (script), rtf (embedded OLE
// objects), csv (spreadsheet formulas), eml/msg, wma/wmv/asf (script
// commands), and names without any extension (browsers sniff those).
const HARMLESS_EXTENSIONS = new Set([
  'pdf', 'txt', 'odt', 'ods', 'odp', 'docx', 'xlsx', 'pptx',
  'jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'tif', 'tiff', 'heic', 'heif', 'avif',
  'mp3', 'm4a', 'aac', 'wav', 'ogg', 'oga', 'opus', 'flac', 'amr',
  'mp4', 'm4v', 'mov', 'webm', 'mkv', 'avi', '3gp', 'mpg', 'mpeg',
  'zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz',
  'bin', // already neutral: "a.bin" stays "a.bin"
]); // prettier-ignore

// Device names, with or without an extension or trailing spaces before it.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])\s*(\..*)?$/i;

// C0/C1 controls, line and paragraph separators, bidi marks, embeddings,
// overrides and isolates (U+061C among them), zero-width characters, word
// joiner and invisible operators, Hangul fillers, BOM, interlinear
// annotations, and lone surrogates (they cannot be written as UTF-8).
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const RESERVED = /[<>:"/\\|?*]/g;

export function safeFileName(original: string, fallback = 'attachment'): string {
  // Only the last path component of whatever the submitter's system sent.
  const base = original.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let name = trimmed(base.replace(INVISIBLE, '').replace(RESERVED, '_'));
  if (name === '') name = fallback;
  name = fitted(name, MAX_NAME_BYTES);
  if (!HARMLESS_EXTENSIONS.has(extensionOf(name).toLowerCase())) {
    name = `${fitted(name, MAX_NAME_BYTES - NEUTRAL.length)}${NEUTRAL}`;
  }
  if (WINDOWS_RESERVED.test(name)) name = `_${fitted(name, MAX_NAME_BYTES - 1)}`;
  return name;
}

// No hidden files, no "." or "..", no trailing dot or space (Windows drops
// them, so "x.exe." would run as "x.exe").
function trimmed(name: string): string {
  return name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
}

/** Cut to the byte budget (whole code points only), trimmed again, never empty. */
function fitted(name: string, maxBytes: number): string {
  return trimmed(truncateKeepingExtension(name, maxBytes)) || 'attachment';
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : '';
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

// Whole code points only, so the cut never leaves half a UTF-8 sequence; a
// short extension (up to 16 characters) is kept and the stem is shortened.
function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const tail = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let budget = maxBytes - utf8Length(tail);
  let stem = '';
  for (const char of name.slice(0, name.length - tail.length)) {
    budget -= utf8Length(char);
    if (budget < 0) break;
    stem += char;
  }
  return stem + tail;
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
