// The shape of a deployment's questionnaire. It is checked at build time (web/build.ts),
// so the page itself never carries zod: it imports only the inferred types.
import { z } from 'zod';

const id = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'ids are lower_snake_case');
const i18nKey = z.string().regex(/^[a-z][a-z0-9_.]{0,127}$/, 'i18n keys are dotted lower case');

const option = z.strictObject({ id, labelKey: i18nKey });

const base = {
  id,
  required: z.boolean(),
  labelKey: i18nKey,
  hintKey: i18nKey.optional(),
};

export const fieldSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...base, kind: z.literal('choice'), options: z.array(option).min(2) }),
  z.strictObject({ ...base, kind: z.literal('multi'), options: z.array(option).min(1) }),
  z.strictObject({ ...base, kind: z.literal('country') }),
  z.strictObject({
    ...base,
    kind: z.enum(['text', 'textarea']),
    maxLength: z.number().int().min(1).max(100_000),
  }),
]);

export const formDefinitionSchema = z
  .strictObject({
    id,
    version: z.number().int().min(1),
    titleKey: i18nKey,
    fields: z.array(fieldSchema).min(1),
  })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    for (const field of form.fields) {
      if (seen.has(field.id)) {
        ctx.addIssue({ code: 'custom', message: `duplicate field id "${field.id}"` });
      }
      seen.add(field.id);
      if ('options' in field) {
        const optionIds = new Set(field.options.map((o) => o.id));
        if (optionIds.size !== field.options.length) {
          ctx.addIssue({ code: 'custom', message: `duplicate option id in field "${field.id}"` });
        }
      }
    }
  });

export type FormDefinition = z.infer<typeof formDefinitionSchema>;
export type FormField = z.infer<typeof fieldSchema>;

/** Parses a form definition and names the first problem in plain words. */
export function parseFormDefinition(value: unknown): FormDefinition {
  const result = formDefinitionSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'form';
    throw new Error(`form definition invalid at ${where}: ${issue?.message ?? 'unknown'}`);
  }
  return result.data;
}

/** Every i18n key a form definition refers to, for the catalogue completeness check. */
export function formI18nKeys(form: FormDefinition): string[] {
  const keys = [form.titleKey];
  for (const field of form.fields) {
    keys.push(field.labelKey);
    if (field.hintKey) keys.push(field.hintKey);
    if ('options' in field) keys.push(...field.options.map((o) => o.labelKey));
  }
  return keys;
}
