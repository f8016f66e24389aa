// Sending a bundle and following it being opened. The upload's progress comes
// from the browser; the opening's from the workbench, which answers
// /api/import?progress=1 one JSON object a line as it decrypts and writes each
// item (reviewer/workbench/import-progress.ts). Same origin, secret header,
// like every other request of this page.
import { ApiError, SECRET, SECRET_HEADER } from './api.ts';
import { t } from './i18n.ts';

type Line =
  | { progress: { done: number; total: number } }
  | { result: unknown }
  | { error: { code: string; message: string } };

/** Posts the bundle and shows upload, then opening, on `bar` and in `text`; resolves with the import's result. */
export function importBundle(
  file: File,
  bar: HTMLProgressElement,
  text: HTMLElement,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let read = 0;
    let outcome: Line | null = null;
    const readLines = (): void => {
      const body = xhr.responseText;
      let end = body.indexOf('\n', read);
      while (end !== -1) {
        const line = JSON.parse(body.slice(read, end)) as Line;
        read = end + 1;
        end = body.indexOf('\n', read);
        if ('progress' in line) {
          bar.max = Math.max(line.progress.total, 1);
          bar.value = line.progress.done;
          text.textContent = t('import.opening', line.progress);
        } else outcome = line;
      }
    };
    xhr.open('POST', '/api/import?progress=1');
    xhr.setRequestHeader(SECRET_HEADER, SECRET);
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      bar.max = 1;
      bar.value = e.loaded / e.total;
      text.textContent = t('import.uploading', { percent: Math.round((100 * e.loaded) / e.total) });
    };
    xhr.onprogress = () => {
      if (xhr.status === 200) readLines();
    };
    xhr.onload = () => {
      if (xhr.status !== 200) {
        const body = JSON.parse(xhr.responseText) as { error?: { code: string; message: string } };
        reject(new ApiError(body.error?.code ?? 'UNEXPECTED', body.error?.message ?? ''));
        return;
      }
      readLines();
      const last = outcome;
      if (last && 'result' in last) resolve(last.result);
      else if (last && 'error' in last) reject(new ApiError(last.error.code, last.error.message));
      else reject(new ApiError('UNEXPECTED', t('import.cut')));
    };
    xhr.onerror = () => reject(new Error(xhr.statusText));
    xhr.send(file);
  });
}
