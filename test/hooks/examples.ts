import { fileURLToPath } from 'node:url';

/** examples/hooks/ of the repository (tests run from dist/test/hooks). */
export const EXAMPLE_HOOKS = fileURLToPath(new URL('../../../examples/hooks/', import.meta.url));
