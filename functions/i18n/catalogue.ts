// The shape every catalogue has: the English catalogue's keys, each an ICU message. A module of its
// own so the catalogues can name their type without importing the module that imports them.
import type { en } from './catalogues/en.js';

/** A key of the catalogues (the English catalogue names them all). */
export type MessageKey = keyof typeof en;
/** A language's catalogue: every key, each an ICU message with the English one's placeholders. */
export type Catalogue = Record<MessageKey, string>;
