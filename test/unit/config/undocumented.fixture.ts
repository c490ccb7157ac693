// A table with an entry that has no doc comment, for test/unit/config/reference.test.ts.
export const UNDOCUMENTED = {
  /** Documented. */
  documented: 1,
  bare: 2,
};
