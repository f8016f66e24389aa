// Public ids for cases, follow-ups and uploads: 128 random bits, base64url
// (22 characters). Ids become folder and file names on the reviewer's
// machine, where a leading '-' or '_' is refused (it reads as an option or a
// hidden file), so ids are drawn again until they start with a letter or digit.
import { randomBytes } from 'node:crypto';

export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}
