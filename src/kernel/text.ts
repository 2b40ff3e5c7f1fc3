/** C0 control characters and DEL: refused in anything stored and echoed back (ids, reasons, ctx fields). */
const hasControlCharacters = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return true;
  }
  return false;
};

/** The one refinement for it: `schema.refine(...noControlCharacters)`. */
export const noControlCharacters = [(value: string): boolean => !hasControlCharacters(value), 'Must not contain control characters'] as const;
