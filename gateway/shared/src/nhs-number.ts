/**
 * NHS numbers: 10 digits, the last a modulus-11 check digit. Weights 10..2 over the first nine digits;
 * check = 11 - (sum mod 11); 11 becomes 0 and 10 means the number is invalid.
 */
export type NhsNumberResult = { ok: true; value: string } | { ok: false; reason: string };

export function checkDigit(firstNine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** An NHS number as typed, without the spaces and hyphens people put in it: "999 000-0018" → "9990000018". */
export function compactNhsNumber(input: string): string {
  return input.replace(/[\s-]/g, "");
}

export function parseNhsNumber(input: string): NhsNumberResult {
  const compact = compactNhsNumber(input);
  if (compact.length === 0) return { ok: false, reason: "The NHS number is empty: give the 10-digit NHS number." };
  if (!/^\d+$/.test(compact)) {
    return { ok: false, reason: "An NHS number has digits only (spaces and hyphens are allowed between them)." };
  }
  if (compact.length !== 10) {
    return { ok: false, reason: `An NHS number has 10 digits; this one has ${compact.length}.` };
  }
  const expected = checkDigit(compact.slice(0, 9));
  if (expected === null || expected !== Number(compact[9])) {
    return {
      ok: false,
      reason: `${formatNhsNumber(compact)} is not a valid NHS number: its check digit is wrong. Check it was typed correctly.`,
    };
  }
  return { ok: true, value: compact };
}

export function formatNhsNumber(compact: string): string {
  return `${compact.slice(0, 3)} ${compact.slice(3, 6)} ${compact.slice(6)}`;
}

/** Completes a 9-digit stem into a valid NHS number, or null when the stem has no valid check digit. */
export function completeNhsNumber(stem: string): string | null {
  const check = checkDigit(stem);
  return check === null ? null : `${stem}${check}`;
}
