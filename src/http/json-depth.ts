/** Bodies nested deeper than this are refused: nothing legitimate comes close. */
export const maximumJsonDepth = 128;

/**
 * True when JSON text nests objects and arrays deeper than `limit`. One pass over the text that
 * skips strings; cheap next to parsing. JSON.parse copes with deep bodies, but everything that
 * later walks them (JSON.stringify, validation) recurses and can exhaust the stack.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 92 /* \\ */) index++;
      else if (code === 34 /* " */) inString = false;
      continue;
    }
    if (code === 34) inString = true;
    else if (code === 123 /* { */ || code === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (code === 125 /* } */ || code === 93 /* ] */) depth--;
  }
  return false;
}
