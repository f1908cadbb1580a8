// Field paths: the segments that lead to a value, and the dotted name users see.

export type Path = (string | number)[];

/** ["environments", "prod.eu", "ignoreDifferences", 0, "kind"] -> environments["prod.eu"].ignoreDifferences[0].kind */
export function fieldName(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
