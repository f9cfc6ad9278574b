/**
 * Checks a parsed JSON value against what the platform can hold: nesting depth (the
 * serializer and PostgreSQL's jsonb parser recurse, so a 100k-deep array would blow the
 * stack at store time, after the reading was accepted) and text PostgreSQL refuses
 * (NUL, unpaired UTF-16 surrogates in jsonb). Iterative, so hostile depth cannot hurt it.
 * Returns what is wrong, or null.
 */
export function unstorableJson(value: unknown, maxDepth: number): string | null {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (!storableText(v)) return 'text holds NUL or an unpaired surrogate';
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
    for (const [k, child] of Object.entries(v)) {
      if (!storableText(k)) return 'a key holds NUL or an unpaired surrogate';
      stack.push({ v: child, depth: depth + 1 });
    }
  }
  return null;
}

// U+0000, or a surrogate half without its partner.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function storableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** Text made safe for a PostgreSQL text column: NUL shown as the escape `\u0000`. */
export function toStorableText(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\\u0000') : s;
}

/** JSON.stringify that cannot throw (cycles are impossible from JSON.parse, depth is not). */
export function safeStringify(value: unknown, fallback: string): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return fallback;
  }
}
