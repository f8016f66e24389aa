// English labels for the default reprisal report form (field and option ids as in
// web/form/default-form.json). Reviewers read cases in English; the submitter's
// own words stay untouched. A deployment may add fields: unknown ids are shown
// as they are, so nothing the submitter answered is ever hidden.

export const FIELD = {
  unBody: 'un_body',
  country: 'country',
  reprisalKinds: 'reprisal_kinds',
  when: 'when',
  affected: 'affected',
  dangerNow: 'danger_now',
  supportNeeded: 'support_needed',
  consentPublic: 'consent_public',
  publicityRisk: 'publicity_risk',
  safeContact: 'safe_contact',
} as const;

export const FIELD_LABELS: Record<string, string> = {
  un_body: 'UN body engaged',
  country: 'Country',
  reprisal_kinds: 'What happened',
  when: 'When',
  affected: 'Who was affected',
  danger_now: 'In danger now',
  support_needed: 'Support needed',
  consent_public: 'Consent to public reporting',
  publicity_risk: 'Would publicity put anyone at more risk',
  safe_contact: 'Safe contact preference',
};

export const OPTION_LABELS: Record<string, Record<string, string>> = {
  un_body: {
    human_rights_council: 'Human Rights Council',
    special_procedures: 'Special procedures',
    treaty_bodies: 'Treaty bodies',
    universal_periodic_review: 'Universal periodic review',
    ohchr_field_presence: 'OHCHR field presence',
    other: 'Other',
  },
  reprisal_kinds: {
    travel_ban: 'Travel ban',
    threats: 'Threats',
    harassment: 'Harassment',
    smear_campaign: 'Smear campaign',
    surveillance: 'Surveillance',
    restrictive_legislation: 'Restrictive legislation',
    physical_attack: 'Physical attack',
    arbitrary_detention: 'Arbitrary arrest or detention',
    torture: 'Torture or ill-treatment',
    sexual_violence: 'Sexual violence',
    denial_medical_care: 'Denial of medical care',
    killing: 'Killing',
    acts_against_family: 'Acts against family or associates',
  },
  danger_now: { yes: 'Yes', no: 'No', unsure: 'Does not know' },
  support_needed: {
    urgent_monitoring: 'Urgent monitoring',
    legal: 'Legal',
    medical: 'Medical',
    relocation: 'Relocation',
    digital_security: 'Digital security',
    family_support: 'Family support',
  },
  consent_public: { yes: 'Yes', anonymised: 'Anonymised only', no: 'No' },
  publicity_risk: { yes: 'Yes', no: 'No', unsure: 'Not sure' },
  safe_contact: {
    status_page: 'Through the status page (receipt code)',
    described_in_message: 'As described in the message',
    no_contact: 'No contact',
  },
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

export function fieldLabel(fieldId: string): string {
  return FIELD_LABELS[fieldId] ?? fieldId;
}

export function optionLabel(fieldId: string, value: string): string {
  if (fieldId === FIELD.country) return countryName(value);
  return OPTION_LABELS[fieldId]?.[value] ?? value;
}

// Intl.DisplayNames is slow next to a lookup, and every case names a country
// in its answers, its page and the register: remember each name once.
const countryNames = new Map<string, string>();

export function countryName(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  let name = countryNames.get(code);
  if (name === undefined) {
    try {
      name = regionNames.of(code.toUpperCase()) ?? code;
    } catch {
      name = code;
    }
    countryNames.set(code, name);
  }
  return name;
}

export function answerValues(
  answers: Record<string, string | string[]>,
  fieldId: string,
): string[] {
  const value = answers[fieldId];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== '');
}

export function answerText(answers: Record<string, string | string[]>, fieldId: string): string {
  return answerValues(answers, fieldId)
    .map((v) => optionLabel(fieldId, v))
    .join('; ');
}

// Known fields first in form order, then whatever else the submitter answered.
export function orderedFieldIds(answers: Record<string, string | string[]>): string[] {
  const known = Object.keys(FIELD_LABELS).filter((id) => id in answers);
  const unknown = Object.keys(answers)
    .filter((id) => !(id in FIELD_LABELS))
    .sort();
  return [...known, ...unknown];
}

export function answersAsText(answers: Record<string, string | string[]>): string {
  const lines: string[] = [];
  for (const id of orderedFieldIds(answers)) {
    const text = answerText(answers, id);
    lines.push(`${fieldLabel(id)}:`);
    lines.push(text === '' ? '  (no answer)' : indent(text));
    lines.push('');
  }
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `  ${line}`)
    .join('\n');
}
