/**
 * A catalogue: one namespace's messages in both languages, side by side so a reviewer reads
 * them together. Values are i18next strings (`{{name}}` interpolation); nesting groups keys
 * (`status.404`). test/foundation/messages.test.ts fails when a key or a parameter is missing
 * from either language.
 */
export interface CatalogueTree {
  [key: string]: string | CatalogueTree
}
export interface Catalogue {
  en: CatalogueTree
  id: CatalogueTree
}
