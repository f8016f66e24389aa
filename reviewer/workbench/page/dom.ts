// Building the page from elements and text nodes only: nothing here ever
// parses a string as HTML, so a submitter's words stay words.
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** A labelled field: the label's `for` names the control's id. */
export function field(id: string, label: string, control: HTMLElement): HTMLElement {
  control.id = id;
  return el('p', { class: 'field' }, el('label', { for: id }, label), control);
}

export function select(options: [string, string][], value = ''): HTMLSelectElement {
  const s = el('select');
  for (const [v, label] of options) {
    const o = el('option', { value: v }, label);
    if (v === value) o.selected = true;
    s.append(o);
  }
  return s;
}

export function table(head: string[], rows: Child[][]): HTMLTableElement {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { dir: 'auto' }, c)))),
    ),
  );
}
