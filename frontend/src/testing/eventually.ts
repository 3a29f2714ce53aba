// The web specs wait with the same eventually() as every other test tier: one implementation.
export { eventually, type EventuallyOptions } from '../../../test/support/eventually';
