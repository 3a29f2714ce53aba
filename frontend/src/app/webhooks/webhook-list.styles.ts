/**
 * What both webhook lists on the Webhooks page look like (outgoing and incoming): an item per
 * webhook, its tag and actions, and the once-shown secret box. Each component includes it, as
 * view encapsulation keeps one component's styles out of another's.
 */
export const WEBHOOK_LIST_STYLES = `
      .danger { color: var(--mat-sys-error); }
      .item { border: 1px solid var(--mat-sys-outline-variant); border-radius: 0.5rem; padding: 0.5rem 0.75rem; margin-bottom: 0.75rem; }
      .line { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
      .url { font-weight: 500; overflow-wrap: anywhere; }
      .tag { font-size: 0.8rem; padding: 0 0.5rem; border-radius: 1rem; background: var(--mat-sys-surface-variant); color: var(--mat-sys-on-surface-variant); }
      .actions { display: flex; flex-wrap: wrap; gap: 0.25rem; margin-top: 0.25rem; }
      .secret { border: 1px solid var(--mat-sys-primary); border-radius: 0.5rem; padding: 0.25rem 0.75rem 0.75rem; margin: 0.75rem 0; }
      .secret-row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
      .secret-value { flex: 1 1 20rem; min-width: 0; font-family: monospace; font-size: 0.9rem; line-height: 1.6; padding: 0.375rem 0.5rem; border: 1px solid var(--mat-sys-outline); border-radius: 0.25rem; background: var(--mat-sys-surface-container); color: var(--mat-sys-on-surface); }
`;
