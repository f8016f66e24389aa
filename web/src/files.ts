// The file picker. Images are cleaned of metadata as soon as they are chosen, so
// the page can say what it did; other files get a plain warning. Only the cleaned
// bytes are ever sealed.
import { h, uid } from './dom.ts';
import { formatSize, tr, trAttr } from './i18n.ts';
import { SNIFF_BYTES, cleanImage, detectImage } from './metadata/index.ts';

export interface ChosenFile {
  name: string;
  type: string;
  size: number;
  /** Plaintext to seal, read lazily so large files are never held whole. */
  source(): AsyncIterable<Uint8Array>;
}

type Note = 'files.cleaned' | 'files.warning' | 'files.uncleanable';

interface Entry extends ChosenFile {
  note: Note;
}

async function* streamOf(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  yield bytes;
}

async function prepareFile(file: File): Promise<Entry> {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const base = { name: file.name, type: file.type || 'application/octet-stream' };
  if (!detectImage(head)) {
    return { ...base, size: file.size, note: 'files.warning', source: () => streamOf(file) };
  }
  const result = cleanImage(new Uint8Array(await file.arrayBuffer()));
  if (result.outcome === 'cleaned') {
    const bytes = result.bytes;
    return { ...base, size: bytes.length, note: 'files.cleaned', source: () => once(bytes) };
  }
  return { ...base, size: file.size, note: 'files.uncleanable', source: () => streamOf(file) };
}

export interface FilePicker {
  element: HTMLElement;
  files(): ChosenFile[];
  /** Forgets every chosen file (after they were sent). */
  clear(): void;
  setDisabled(disabled: boolean): void;
}

export function filePicker(): FilePicker {
  const entries: Entry[] = [];
  const inputId = uid('files');
  const hintId = uid('hint');
  const input = h('input', {
    type: 'file',
    class: 'picker-input',
    id: inputId,
    multiple: true,
    'aria-describedby': hintId,
  });
  const list = h('ul', { class: 'file-list' });
  const empty = tr(h('p', { class: 'hint' }), 'files.empty');
  const busy = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });

  const render = () => {
    empty.hidden = entries.length > 0;
    list.replaceChildren(
      ...entries.map((entry, index) => {
        const remove = trAttr(
          tr(h('button', { type: 'button', class: 'link' }), 'files.remove'),
          'aria-label',
          'files.remove_named',
          { name: entry.name },
        );
        remove.addEventListener('click', () => {
          entries.splice(index, 1);
          render();
          input.focus();
        });
        return h(
          'li',
          { class: entry.note === 'files.cleaned' ? 'file ok' : 'file warn' },
          h('span', { class: 'file-name', dir: 'auto' }, entry.name),
          ' ',
          h('span', { class: 'file-size' }, formatSize(entry.size)),
          ' ',
          remove,
          tr(h('p', { class: 'file-note' }), entry.note),
        );
      }),
    );
  };

  input.addEventListener('change', () => {
    const picked = [...(input.files ?? [])];
    input.value = '';
    if (!picked.length) return;
    tr(busy, 'files.checking');
    void Promise.all(picked.map(prepareFile)).then((prepared) => {
      entries.push(...prepared);
      busy.textContent = '';
      delete busy.dataset.i18n;
      render();
    });
  });

  const element = h(
    'fieldset',
    { class: 'field files' },
    tr(h('legend'), 'files.legend'),
    tr(h('p', { class: 'hint', id: hintId }), 'files.hint'),
    // The native control draws its own "Choose Files / No file chosen" in the
    // browser's language, not the page's: it stays in the page, focusable and
    // announced, but unseen, and its label is the button a person sees.
    input,
    h('label', { for: inputId, class: 'picker' }, tr(h('span'), 'files.label')),
    busy,
    empty,
    list,
  );
  render();
  return {
    element,
    files: () => [...entries],
    clear() {
      entries.splice(0);
      render();
    },
    setDisabled(disabled) {
      input.disabled = disabled;
      for (const button of list.querySelectorAll('button')) button.disabled = disabled;
    },
  };
}
