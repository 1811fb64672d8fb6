// JSON schemas shared by the admin routes; Fastify validates against them before a handler runs.
import { NO_CONTROL_CHARACTERS_PATTERN } from '../../../util/text.js';

/**
 * A lifetime: whole seconds, or a duration string such as "15m", "1h", "30d". The only anyOf in the admin
 * schemas: errors.ts describes a failed anyOf as a bad lifetime.
 */
export const durationSchema = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^[0-9]{1,9}[smhd]?$' },
  ],
} as const;

/** Strings without control characters, the rule of util/text.ts as a schema pattern (errors.ts words its failure). */
export const NO_CONTROL_CHARACTERS = NO_CONTROL_CHARACTERS_PATTERN;

export const idParams = (name: string) =>
  ({
    type: 'object',
    required: [name],
    // No control characters: no id holds one, and PostgreSQL refuses a NUL in text outright.
    properties: { [name]: { type: 'string', minLength: 1, maxLength: 200, pattern: NO_CONTROL_CHARACTERS } },
  }) as const;
