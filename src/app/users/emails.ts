// Emails are compared as people mean them: surrounding spaces dropped, case folded. The
// migration's CHECKs refuse any stored email not in this form.
export const emailCharsMax = 320;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A plain shape check for callers without a schema (the CLI); the HTTP API validates with zod. */
export function emailProblem(email: string): string | undefined {
  const normalized = normalizeEmail(email);
  if (normalized.length > emailCharsMax) return `the email is longer than ${emailCharsMax} characters`;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized)) return `${email} is not an email address`;
  return undefined;
}
