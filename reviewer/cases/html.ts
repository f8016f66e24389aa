// Static pages the reviewer opens from disk: no script, no remote resource, and
// a Content-Security-Policy that forbids both, so that even a mistake in
// escaping could not run a submitter's markup. Every piece of text from a
// bundle goes through escapeHtml (quotes included, so it is safe in an
// attribute too); every link through encodeURIComponent, so a name can only
// ever be a relative path inside the case folder. Submitter text sits in an
// element with dir="auto" or in <bdi>, so a right-to-left override in it
// cannot reorder the text around it.
import { fieldLabel, FIELD, answerText, orderedFieldIds } from './form-labels.ts';
import type { ItemText } from './item-text.ts';
import { type CaseRecord, deskName } from './records.ts';
import { caseName } from './safe-name.ts';
import { type Triage, today, triage, triageOrder } from './triage.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function href(...segments: string[]): string {
  return segments.map(encodeURIComponent).join('/');
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:start;vertical-align:top}
th{background:#eee}pre{white-space:pre-wrap;background:#f6f6f6;padding:.8rem;border:1px solid #ddd}
dt{font-weight:600}dd{margin:0 0 .6rem 1rem;white-space:pre-wrap}.note{color:#555}
.warning{background:#fff3cd;border:2px solid #8a5a00;padding:.6rem .8rem;color:#111}
.urgent{background:#8b0000;color:#fff;font-weight:700;padding:0 .3rem}.overdue{font-weight:700;color:#8a5a00}`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The mark a case carries in the lists: urgent, check-in overdue, or nothing. */
export function attentionMarks(t: Triage): string {
  const marks: string[] = [];
  if (t.urgent) {
    marks.push(`<span class="urgent">URGENT</span> ${escapeHtml(t.reasons.join('; '))}`);
  }
  if (t.checkin?.overdue) {
    marks.push(
      `<span class="overdue">Check-in overdue</span> since ${escapeHtml(t.checkin.due)}, last sign of life ${escapeHtml(t.checkin.lastSignOfLife)}`,
    );
  } else if (t.checkin) {
    marks.push(`Check-in every ${t.checkin.every} days, next by ${escapeHtml(t.checkin.due)}`);
  }
  return marks.join('<br>');
}

/**
 * The list of cases: the main index, or with `view.setAside` the cases set
 * aside as part of a burst (set-aside.html). `view.asideCount` names how many
 * the main index leaves out.
 */
export function indexPage(
  records: readonly CaseRecord[],
  day: string = today(),
  view: { setAside?: boolean; asideCount?: number } = {},
): string {
  const ordered = triageOrder(records, day);
  const urgent = ordered.filter((o) => o.triage.urgent).length;
  const overdue = ordered.filter((o) => o.triage.checkin?.overdue).length;
  const rows = ordered.map(({ record: r, triage: t }) => {
    const followUps = r.items.filter((i) => i.kind === 'followup').length;
    const cells = [
      attentionMarks(t),
      `<a href="${href(caseName(r.caseId), 'index.html')}">${escapeHtml(caseName(r.caseId))}</a>`,
      escapeHtml(r.received),
      escapeHtml(r.lastActivity),
      escapeHtml(r.status),
      String(followUps),
      escapeHtml(answerText(r.answers, FIELD.country)),
      escapeHtml(answerText(r.answers, FIELD.unBody)),
      escapeHtml(answerText(r.answers, FIELD.reprisalKinds)),
      escapeHtml(answerText(r.answers, FIELD.consentPublic)),
      escapeHtml(r.desk ? deskName(r.desk) : ''),
    ];
    return `<tr>${cells.map((c) => `<td dir="auto">${c}</td>`).join('')}</tr>`;
  });
  const head = ['Attention', 'Case', 'Received', 'Last activity', 'Status', 'Follow-ups', 'Country', 'UN body', 'What happened', 'Consent', 'Desk']; // prettier-ignore
  const aside = view.asideCount
    ? ` ${view.asideCount} case(s) set aside as part of a burst are not listed here: see <a href="set-aside.html">set-aside.html</a>.`
    : '';
  const intro = view.setAside
    ? `<h1>Cases set aside</h1>
<p class="note">${records.length} case(s) set aside as part of a burst (as of ${escapeHtml(day)}): nothing is deleted, and a case that turns urgent or hears from its author again goes back to <a href="index.html">the main list</a> by itself. <code>sealbox review set-aside --undo</code> brings a day back. All cases are in <a href="cases.csv">cases.csv</a>.</p>`
    : `<h1>Cases</h1>
<p class="note">${records.length} case(s), ${urgent} urgent, ${overdue} with a check-in overdue (as of ${escapeHtml(day)}); urgent cases first, then overdue check-ins.${aside} This folder holds decrypted testimony: keep it on the offline computer. Every case is in <a href="cases.csv">cases.csv</a>.</p>`;
  return page(
    view.setAside ? 'Sealbox cases set aside' : 'Sealbox cases',
    `${intro}
<table>
<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`,
  );
}

function answersList(answers: Record<string, string | string[]>): string {
  const ids = orderedFieldIds(answers);
  if (ids.length === 0) return '';
  const entries = ids.map(
    (id) =>
      `<dt dir="auto">${escapeHtml(fieldLabel(id))}</dt><dd dir="auto">${escapeHtml(answerText(answers, id) || '(no answer)')}</dd>`,
  );
  return `<dl>\n${entries.join('\n')}\n</dl>`;
}

function itemSection({ item, message, answers }: ItemText): string {
  const kind = item.kind === 'submission' ? 'Submission' : 'Follow-up';
  const title = item.flag ? `Set aside: ${kind.toLowerCase()}` : kind;
  const warning = item.flag
    ? `<p class="warning" role="alert"><strong>Warning:</strong> ${escapeHtml(item.flag)} Do not treat it as the submitter's words without checking.</p>\n`
    : '';
  const files = item.attachments.map((a) => {
    const renamed =
      a.file === a.originalName
        ? ''
        : ` <span class="note">(sent as “<bdi>${escapeHtml(a.originalName)}</bdi>”)</span>`;
    return `<li><a href="${href(item.folder, 'attachments', a.file)}"><bdi>${escapeHtml(a.file)}</bdi></a> — <bdi>${escapeHtml(a.type)}</bdi>, ${a.size} bytes${renamed}</li>`;
  });
  return `<section>
<h2>${title}, received ${escapeHtml(item.date)}</h2>
${warning}${answersList(answers)}
<h3>Message</h3>
<pre dir="auto">${escapeHtml(message)}</pre>
${files.length ? `<h3>Attachments</h3>\n<ul>\n${files.join('\n')}\n</ul>` : ''}
<p class="note">Files: <a href="${href(item.folder)}/">${escapeHtml(item.folder)}</a></p>
</section>`;
}

function handoverList(record: CaseRecord): string {
  if (!record.handovers?.length) return '';
  const items = record.handovers.map(
    (h) =>
      `<li>${escapeHtml(h.date)}: handed ${h.from ? `from desk ${escapeHtml(h.from)} ` : ''}to desk ${escapeHtml(h.to)}; consent: <span dir="auto">${escapeHtml(h.consent)}</span></li>`,
  );
  return `<h2>Handed over</h2>\n<ul>\n${items.join('\n')}\n</ul>\n`;
}

export function casePage(
  record: CaseRecord,
  items: readonly ItemText[],
  day: string = today(),
): string {
  const name = caseName(record.caseId);
  const marks = attentionMarks(triage(record, day));
  const statements = record.statements.map(
    (s) =>
      `<li>${escapeHtml(s.date)}: ${escapeHtml(s.kind)}${s.checkinEvery !== undefined ? ` (check-in ${s.checkinEvery ? `every ${s.checkinEvery} days` : 'stopped'})` : ''}${s.status ? ` → ${escapeHtml(s.status)}` : ''}${s.text !== undefined ? `\n<pre dir="auto">${escapeHtml(s.text)}</pre>` : ''}</li>`,
  );
  return page(
    `Case ${name}`,
    `<p><a href="../index.html">All cases</a></p>
<h1>Case ${escapeHtml(name)}</h1>
<p>Received ${escapeHtml(record.received)}. Status: <strong>${escapeHtml(record.status)}</strong>.${record.desk ? ` Desk: <strong dir="auto">${escapeHtml(deskName(record.desk))}</strong>.` : ''}</p>
${handoverList(record)}${marks ? `<p>${marks}</p>\n` : ''}${record.summary !== undefined ? `<h2>Summary for reporting</h2>\n<pre dir="auto">${escapeHtml(record.summary)}</pre>\n` : ''}${items.map(itemSection).join('\n')}
${statements.length ? `<h2>Written to the outbox</h2>\n<ul>\n${statements.join('\n')}\n</ul>` : ''}
<p class="note">To answer this case: <code>sealbox review reply ${escapeHtml(name)} --key YOUR.key --cases FOLDER</code>; to change its status: <code>sealbox review status ${escapeHtml(name)} STATUS --key YOUR.key --cases FOLDER</code>.</p>`,
  );
}
