import 'server-only';
export const SECRET_MASK = '••••••';

/**
 * Values shorter than this are never masked: "abc" would blank out every word that contains it.
 * putSecret refuses them at creation (MIN_SECRET_LENGTH), so only values stored before that are affected.
 */
const MIN_MASKED_LENGTH = 4;

/** Keys of an action input whose string value is a user name a Basic credential may be built with. */
const BASIC_USER_KEY = /^(user|username|user_name|login|client_?id)$/i;

function lowerCaseHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** encodeURIComponent and encodeURI forms; none for a value with a lone surrogate, which they cannot encode (and the form encoding above writes as U+FFFD). */
function uriEncodings(value: string): string[] {
  try {
    const component = encodeURIComponent(value);
    return [component, lowerCaseHex(component), component.replace(/%20/g, '+'), encodeURI(value)];
  } catch (error) {
    if (error instanceof URIError) return [];
    throw error;
  }
}

function base64Forms(text: string): string[] {
  const padded = Buffer.from(text, 'utf8').toString('base64');
  return [padded, padded.replace(/=+$/, ''), Buffer.from(text, 'utf8').toString('base64url')];
}

/**
 * The forms a service is likely to echo a secret in: as it is; URL-encoded (encodeURIComponent,
 * a form's `+` for space, encodeURI, lower-case hex); JSON-escaped (as JSON.stringify writes it,
 * with `\/`, and with non-ASCII as `\uXXXX`); base64, unpadded and base64url.
 */
export function secretEncodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [
    value,
    ...uriEncodings(value),
    form,
    lowerCaseHex(form),
    json,
    json.replaceAll('/', '\\/'),
    json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`),
    ...base64Forms(value),
  ];
}

/**
 * What a run masks: its resolved secret values in every encoding of `secretEncodings`, plus
 * base64 of `user:value` (a Basic credential) for each user name its action inputs gave
 * (`basicAuthUsers`). Kept by the interpreter for the run's pass; longest strings are replaced
 * first, so a padded base64 form is masked whole rather than leaving its `=` behind.
 */
export class SecretMask {
  private readonly values = new Set<string>();
  private readonly users = new Set<string>();
  private readonly forms = new Set<string>();
  private ordered: string[] | null = null;

  /** Adds a resolved secret value (values shorter than 4 characters are not masked). */
  addSecret(value: string): void {
    if (value.length < MIN_MASKED_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    for (const form of secretEncodings(value)) this.addForm(form);
    for (const user of this.users) for (const form of base64Forms(`${user}:${value}`)) this.addForm(form);
  }

  /** Adds a user name from a step's config: `base64(user:secret)` is masked for every secret. */
  addBasicUser(user: string): void {
    if (this.users.has(user)) return;
    this.users.add(user);
    for (const value of this.values) for (const form of base64Forms(`${user}:${value}`)) this.addForm(form);
  }

  get size(): number {
    return this.forms.size;
  }

  /** Whether `text` holds any masked form. */
  has(text: string): boolean {
    return this.sorted().some((form) => text.includes(form));
  }

  /** `text` with every masked form replaced by SECRET_MASK. */
  mask(text: string): string {
    let out = text;
    for (const form of this.sorted()) if (out.includes(form)) out = out.split(form).join(SECRET_MASK);
    return out;
  }

  private addForm(form: string): void {
    if (form.length < MIN_MASKED_LENGTH || this.forms.has(form)) return;
    this.forms.add(form);
    this.ordered = null;
  }

  private sorted(): string[] {
    this.ordered ??= [...this.forms].sort((a, b) => b.length - a.length);
    return this.ordered;
  }
}

/**
 * User names in an action's resolved input that a Basic credential could pair with a secret:
 * string values under keys such as `user`, `username`, `login` or `client_id`, and the user
 * name of any URL string. Walked without recursion: the input may be deep.
 */
export function basicAuthUsers(input: unknown): string[] {
  const users = new Set<string>();
  const stack: Array<{ node: unknown; key: string | null }> = [{ node: input, key: null }];
  while (stack.length > 0) {
    const { node, key } = stack.pop()!;
    if (typeof node === 'string') {
      if (key !== null && BASIC_USER_KEY.test(key) && node !== '') users.add(node);
      if (/^https?:\/\/[^/?#]*@/i.test(node) && URL.canParse(node)) {
        const name = decodeUserName(new URL(node).username);
        if (name !== '') users.add(name);
      }
    } else if (Array.isArray(node)) {
      for (const item of node) stack.push({ node: item, key: null });
    } else if (typeof node === 'object' && node !== null) {
      for (const [name, item] of Object.entries(node)) stack.push({ node: item, key: name });
    }
  }
  return [...users];
}

/** A URL's user name as a person wrote it; one with a stray `%` is taken as it stands. */
function decodeUserName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch (error) {
    if (error instanceof URIError) return name;
    throw error;
  }
}

/**
 * Replaces every masked form of the run's secrets inside strings and keys of `value`, so a
 * secret echoed back by an action (a response that repeats its Authorization header, an error
 * message quoting the request, a URL with the secret in its query) never reaches a step
 * record, a snapshot, an event or a log.
 */
export function maskSecrets(value: unknown, secrets: SecretMask): unknown {
  if (secrets.size === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return secrets.mask(node);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null)
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [secrets.mask(key), walk(item)]));
    return node;
  };
  return walk(value);
}
