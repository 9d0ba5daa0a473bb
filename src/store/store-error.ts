/** A store that cannot be opened or used as asked: the message names the database and the rule. */
export class StoreError extends Error {
  override name = 'StoreError';
  readonly badInput = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A sample id (an idempotency key) that the store already holds under another VM: nothing was written. */
export class SampleIdTaken extends StoreError {
  override name = 'SampleIdTaken';
  constructor(
    readonly sampleId: string,
    /** The VM that holds the sample id. */
    readonly heldBy: string,
  ) {
    super(`sample id ${sampleId} is already stored under VM ${heldBy}`);
  }
}

/** A database location as it may be shown: a URL's password replaced by `***` (also when the URL does not parse). */
export function shownLocation(location: string): string {
  if (!/^postgres(ql)?:\/\//.test(location)) return location;
  try {
    const u = new URL(location);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    // Not a URL node can parse: drop everything between the scheme's // and the last @ before the path.
    return location.replace(/^(postgres(?:ql)?:\/\/)([^/]*@)/, (_m, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? `${auth.slice(0, auth.indexOf(':'))}:***@` : auth}`);
  }
}

/**
 * A function that replaces a URL's password (as written and URL-decoded) in any text by `***`: for the messages of
 * errors that a driver builds from its connection string.
 */
export function passwordRedactor(location: string): (text: string) => string {
  const secrets = new Set<string>();
  const m = /^postgres(?:ql)?:\/\/[^:/@]*:(.*)@[^@]*$/.exec(location);
  if (m && m[1] !== '') {
    secrets.add(m[1]);
    try {
      secrets.add(decodeURIComponent(m[1]));
    } catch {
      /* not percent-encoded */
    }
  }
  const list = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => list.reduce((t, s) => t.split(s).join('***'), text);
}

/** An error safe to show and keep as a `cause`: its message (and its cause's) without the password. */
export function redactedError(e: unknown, redact: (text: string) => string): Error {
  const src = e instanceof Error ? e : new Error(String(e));
  const out = new Error(redact(src.message), src.cause === undefined ? undefined : { cause: redactedError(src.cause, redact) });
  out.name = src.name;
  const code = (src as { code?: unknown }).code;
  if (code !== undefined) (out as { code?: unknown }).code = code;
  out.stack = redact(src.stack ?? '');
  return out;
}
