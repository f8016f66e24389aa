// The workbench's case list, import and language in headless Chromium: an
// import shows the opening's progress item by item; an urgent case comes first
// and says so in words; each sortable column sorts both ways from the keyboard,
// with aria-sort on its header; and in French no view shows the English words
// of the page, the form or the statuses (the submitter's own words aside).
import { join } from 'node:path';
import t from 'tap';
import { CASE_STATUSES } from '../../client-crypto/index.ts';
import { FIELD_LABELS, OPTION_LABELS } from '../../reviewer/cases/form-labels.ts';
import wbEn from '../../reviewer/workbench/page/i18n/en.json' with { type: 'json' };
import wbFr from '../../reviewer/workbench/page/i18n/fr.json' with { type: 'json' };
import webEn from '../../web/i18n/en.json' with { type: 'json' };
import webFr from '../../web/i18n/fr.json' with { type: 'json' };
import { PASSPHRASE, writeBundle } from '../reviewer/fixtures.ts';
import { postJson, startBench } from '../workbench/fixtures.ts';
import { axeViolations, openBrowser, screenshot } from './harness.ts';

/** Words of the English catalogues whose French differs: none may be seen in a French view. */
function englishWords(): string[] {
  const words = new Set<string>();
  const add = (en: Record<string, string>, fr: Record<string, string>, keys: string[]) => {
    for (const key of keys) {
      if (en[key] === fr[key]) continue;
      for (const part of en[key]!.split(/\{\w+\}/)) if (part.trim().length >= 4) words.add(part.trim()); // prettier-ignore
    }
  };
  add(wbEn, wbFr, Object.keys(wbEn));
  add(
    webEn,
    webFr,
    Object.keys(webEn).filter((k) => /^(field\.|status\.value\.)/.test(k)),
  );
  // The case folder's English labels (reviewer/cases/form-labels.ts), which the page must not fall back to.
  const french = new Set([...Object.values(webFr), ...Object.values(wbFr)]);
  for (const label of [...Object.values(FIELD_LABELS), ...Object.values(OPTION_LABELS).flatMap((o) => Object.values(o))]) if (label.length >= 4 && !french.has(label)) words.add(label); // prettier-ignore
  for (const id of [...CASE_STATUSES, 'human_rights_council', 'treaty_bodies', 'special_procedures', 'travel_ban', 'reply', 'purge']) words.add(id); // prettier-ignore
  return [...words];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function leaks(text: string, words: string[]): string[] {
  return words.filter((w) => new RegExp(`(?<![\\p{L}_])${escape(w)}(?![\\p{L}_])`, 'u').test(text));
}

t.test('progress while opening, urgent first, sortable columns, all in French', async (t) => {
  const b = await startBench(t);
  const browser = await openBrowser(t);
  const { page } = browser;
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(b.workbench.url);
  await page.fill('#passphrase', PASSPHRASE);
  await page.click('button[type=submit]');
  await page.waitForSelector('#case-count');

  const bundle = join(b.setup.dir, 'urgent.sbx');
  await writeBundle(
    bundle,
    [
      { kind: 'submission', id: 'case-zz', seq: 3, received: '2026-08-01', answers: { country: 'BY', un_body: 'special_procedures', reprisal_kinds: ['harassment'], danger_now: 'yes' } }, // prettier-ignore
      { kind: 'submission', id: 'case-bad', seq: 4, files: [{ name: 'a.pdf', bytes: new Uint8Array(9), corrupt: true }] }, // prettier-ignore
    ],
    b.setup.sealing,
    b.setup,
  );
  await page.click('[data-view="nav.import"]');
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    const target = document.getElementById('import-progress')!;
    new MutationObserver(() => seen.push(target.textContent ?? '')).observe(target, { childList: true, characterData: true, subtree: true }); // prettier-ignore
  });
  await page.setInputFiles('#bundle', bundle);
  await page.click('form button[type=submit]');
  await page.waitForSelector('#import-result .warning');
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  t.ok(seen.some((s) => /^Opening the bundle: [0-2] of 2 items done$/.test(s)), `opening shown as it goes: ${seen.join(' | ')}`); // prettier-ignore
  t.equal(await page.textContent('#import-progress'), 'Opening the bundle: 2 of 2 items done');
  t.same(await page.$eval('progress', (p) => [(p).value, (p).max]), [2, 2]); // prettier-ignore

  // Statuses to sort by: case-mm is closed, case-ni in review, case-zz just received.
  t.equal((await postJson(b.workbench, '/api/cases/case-mm/statements', { kind: 'status', status: 'closed' })).status, 200); // prettier-ignore
  t.equal((await postJson(b.workbench, '/api/cases/case-ni/statements', { kind: 'status', status: 'in_review' })).status, 200); // prettier-ignore

  await page.click('[data-view="nav.cases"]');
  await page.waitForSelector('#case-table');
  const order = () =>
    page.$$eval('#case-table [data-case]', (links) =>
      links.map((l) => l.getAttribute('data-case')),
    );
  const sortedBy = () => page.$$eval('#case-table th[aria-sort]', (ths) => ths.map((th) => [th.querySelector('button')?.dataset.sort, th.getAttribute('aria-sort')])); // prettier-ignore
  t.same(await order(), ['case-zz', 'case-mm', 'case-ni'], 'the urgent case first by default');
  t.same(await sortedBy(), [['attention', 'ascending']]);
  t.match(await page.textContent('#case-table tbody tr:first-child'), /Urgent: in danger now \(submission\)/, 'urgent in words'); // prettier-ignore
  t.notMatch(await page.textContent('#case-table tbody tr:nth-child(2)'), /Urgent/);
  t.same(await axeViolations(page), [], 'sortable case list');
  await screenshot(page, 'workbench-cases-urgent');

  const cases: [string, string[]][] = [
    ['received', ['case-mm', 'case-ni', 'case-zz']],
    ['status', ['case-zz', 'case-ni', 'case-mm']],
    ['country', ['case-zz', 'case-mm', 'case-ni']],
    ['unBody', ['case-mm', 'case-zz', 'case-ni']],
    ['kinds', ['case-zz', 'case-mm', 'case-ni']],
    ['case', ['case-mm', 'case-ni', 'case-zz']],
  ];
  for (const [key, ascending] of cases) {
    // From the keyboard: the header's button takes focus and Enter sorts.
    await page.focus(`#case-table button[data-sort="${key}"]`);
    await page.keyboard.press('Enter');
    t.same(await order(), ascending, `by ${key}, ascending`);
    t.same(await sortedBy(), [[key, 'ascending']]);
    t.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.sort), key, 'focus stays on the header'); // prettier-ignore
    await page.keyboard.press('Enter');
    t.same(await order(), [...ascending].reverse(), `by ${key}, descending`);
    t.same(await sortedBy(), [[key, 'descending']]);
  }
  await page.click('#case-table button[data-sort="received"]');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('#case-table');
  t.same(await order(), ['case-mm', 'case-ni', 'case-zz'], 'the order chosen survives filtering');
  t.same(await axeViolations(page), [], 'sorted case list');

  // French: every view, no English word of the page, the form or the statuses.
  const english = englishWords();
  t.ok(english.includes('What happened?') && english.includes('in_review') && english.includes('Being reviewed'), 'the list holds form labels and statuses'); // prettier-ignore
  const walk = async (view: string) => {
    const text = await page.evaluate(() => `${document.title}\n${document.getElementById('app')!.innerText}\n${[...document.querySelectorAll('option')].map((o) => o.textContent).join('\n')}`); // prettier-ignore
    t.same(leaks(text, english), [], `no English in the French ${view}`);
    t.same(await axeViolations(page), [], `French ${view}`);
  };
  await page.selectOption('#language', 'fr');
  await page.waitForSelector('#case-table caption:has-text("Trié par")');
  t.match(await page.textContent('#case-table tbody'), /En cours d’examen.*Nicaragua.*Organes conventionnels.*Menaces; Interdiction de voyager/s); // prettier-ignore
  await walk('case list');
  await page.click('#case-table button[data-sort="attention"]');
  t.match(await page.textContent('#case-table tbody tr:first-child'), /Urgent : en danger maintenant/); // prettier-ignore
  await walk('case list, urgent first');
  await screenshot(page, 'workbench-cases-fr');

  await page.click('[data-case="case-ni"]');
  await page.waitForSelector('button.danger');
  const answers = await page.textContent('main dl');
  t.match(answers, /Avec quel organe ou mécanisme de l’ONU/, 'the form’s own French question');
  t.match(answers, /Organes conventionnels/);
  await walk('case view');
  await page.fill('#answer-text', 'Merci, nous examinons votre signalement.');
  await page.selectOption('#answer-status', 'needs_information');
  await page.click('form[aria-labelledby=answer-heading] button[type=submit]');
  await page.waitForSelector('text=Signé et ajouté à la boîte d’envoi.');
  t.match(await page.textContent('main'), /réponse → Informations complémentaires nécessaires/);
  await walk('case view with a statement');
  await screenshot(page, 'workbench-case-fr');

  const more = join(b.setup.dir, 'more.sbx');
  await writeBundle(more, [{ kind: 'submission', id: 'case-fr', seq: 5, received: '2026-09-01', answers: { country: 'FR' } }], b.setup.sealing, b.setup); // prettier-ignore
  await page.click('[data-view="nav.import"]');
  await page.setInputFiles('#bundle', more);
  await page.click('form button[type=submit]');
  await page.waitForSelector('#import-result p');
  t.equal(await page.textContent('#import-progress'), 'Ouverture du lot : 1 élément(s) traité(s) sur 1'); // prettier-ignore
  await walk('import view');

  await page.click('[data-view="nav.outbox"]');
  await page.waitForSelector('table');
  t.match(await page.textContent('main table'), /changement de statut.*Clos/s);
  await walk('outbox');
  await screenshot(page, 'workbench-outbox-fr');

  await page.click('[data-view="nav.figures"]');
  await page.waitForSelector('text=Dossiers par pays');
  t.match(await page.textContent('main'), /4 dossier\(s\), toutes années confondues\..*Biélorussie.*Dossiers par organe de l’ONU.*Organes conventionnels.*Dossiers par type de représailles.*Harcèlement ou intimidation/s); // prettier-ignore
  await walk('figures');
  await screenshot(page, 'workbench-figures-fr');

  t.same(browser.errors, []);
  const foreign = browser.requests.filter((r) => !r.url.startsWith(`http://127.0.0.1:${b.workbench.port}/`) && !r.url.startsWith('blob:')); // prettier-ignore
  t.same(foreign, [], 'no request to any other origin');
});
