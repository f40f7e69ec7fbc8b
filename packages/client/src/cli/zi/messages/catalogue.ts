/**
 * A catalogue: one namespace's messages in both languages, side by side so a reviewer reads
 * them together (the same shape as the server's src/messages/catalogue.ts; the client imports
 * nothing from the server). Values are i18next strings: `{{name}}` interpolation, and a key with
 * `_one`/`_other` variants takes `count` (both languages carry both variants, even where
 * Indonesian says the same thing twice, so the two trees always have the same keys).
 */
export interface CatalogueTree {
  [key: string]: string | CatalogueTree
}
export interface Catalogue {
  en: CatalogueTree
  id: CatalogueTree
}
