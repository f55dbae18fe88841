import { fileURLToPath } from 'node:url';

/** examples/hooks/ of the repository (helpers run from dist/test/helpers). */
export const EXAMPLE_HOOKS = fileURLToPath(new URL('../../../examples/hooks/', import.meta.url));
