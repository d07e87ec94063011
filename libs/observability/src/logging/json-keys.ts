/**
 * The keys that occur more than once in one object of a JSON text (at any depth), as `path.key` — what
 * `JSON.parse` hides by keeping the last value. The text must be valid JSON; pino appends child bindings
 * and call fields without checking, so a line can repeat a key that a later binding meant to replace.
 */
export function duplicateKeys(json: string): string[] {
  const found: string[] = [];
  // One entry per open container: the keys seen (null for an array) and the key it sits under.
  const stack: { keys: Set<string> | null; path: string }[] = [];
  let pendingKey: string | null = null;
  let i = 0;
  const n = json.length;
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < n && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(json.slice(start, i)) as string;
  };
  while (i < n) {
    const c = json[i]!;
    if (c === '"') {
      const top = stack.at(-1);
      const text = readString();
      // A string in an object is a key when a colon follows it.
      let j = i;
      while (j < n && /\s/.test(json[j]!)) j++;
      if (top?.keys && json[j] === ':') {
        if (top.keys.has(text)) found.push(top.path === '' ? text : `${top.path}.${text}`);
        top.keys.add(text);
        pendingKey = text;
      }
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = stack.at(-1);
      const under = parent?.keys ? (pendingKey ?? '') : '[]';
      const path = parent === undefined ? '' : parent.path === '' ? under : `${parent.path}.${under}`;
      stack.push({ keys: c === '{' ? new Set() : null, path });
      pendingKey = null;
    } else if (c === '}' || c === ']') {
      stack.pop();
    }
    i++;
  }
  return found;
}
