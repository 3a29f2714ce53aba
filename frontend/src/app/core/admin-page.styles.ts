/**
 * The layout every admin page shares (header row, section titles, forms of wrapping fields,
 * bordered lists, hints and problems), so the pages look alike and a change is made once. Each
 * component adds its own rules after these.
 */
export const ADMIN_PAGE_STYLES = `
  :host { display: block; padding: 0.5rem 1rem 1rem; max-width: 60rem; }
  .top { display: flex; align-items: center; gap: 0.25rem 1rem; flex-wrap: wrap; }
  h1 { font-size: 1.25rem; font-weight: 500; }
  .section { font-size: 1.05rem; font-weight: 500; margin: 1.25rem 0 0.5rem; }
  .form { display: flex; flex-direction: column; align-items: flex-start; gap: 0.25rem; }
  .fields { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0.75rem 1rem; width: 100%; margin-bottom: 0.5rem; }
  .wide-field { flex: 1 1 18rem; min-width: 0; }
  .hint, .meta { color: var(--mat-sys-on-surface-variant); font-size: 0.85rem; }
  .problem { color: var(--mat-sys-error); margin: 0.25rem 0; }
  .list { list-style: none; margin: 0; padding: 0; }
  .empty { color: var(--mat-sys-on-surface-variant); padding: 0.5rem 0; }
`;
